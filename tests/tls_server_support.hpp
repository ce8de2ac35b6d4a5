// Helpers for the https / wss server tests: one TestPki per test binary, the server and client
// TLS settings made from it, peer programs run on a pool thread while the loop serves, and the
// SPKI hash Chromium takes to trust a certificate without a trust store.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "corio/coro.hpp"
#include "corio/transport.hpp"
#include "tls_support.hpp"
#include "wsserver_support.hpp"

namespace corio_test {

// Made on first use (the openssl commands take a moment), shared by the binary's tests.
const TestPki& shared_pki();

// A server context for cert (corio::tls::server_context).
std::shared_ptr<corio::TransportFactory> server_tls(const CertPair& cert);

// Whether corio was built with TLS (make TLS=1, the default when OpenSSL is there).
bool tls_built_in();

// Runs argv to completion on a thread of the pool, so the test's loop keeps serving meanwhile.
corio::Coro<RunResult> run_beside(std::vector<std::string> argv, std::chrono::milliseconds timeout,
                                  std::vector<std::string> extra_env = {});

// base64(SHA-256(SubjectPublicKeyInfo)) of a PEM certificate, as Chromium's
// --ignore-certificate-errors-spki-list wants it; "" when openssl fails.
std::string spki_sha256(const std::string& cert_file);

}  // namespace corio_test
