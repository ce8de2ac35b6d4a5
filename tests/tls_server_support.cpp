// Helpers for the https / wss server tests (see tls_server_support.hpp).
#include "tls_server_support.hpp"

#include "corio/executor.hpp"
#include "corio/tls.hpp"

namespace corio_test {

const TestPki& shared_pki() {
    static TestPki pki;
    return pki;
}

std::shared_ptr<corio::TransportFactory> server_tls(const CertPair& cert) {
    return corio::tls::server_context({.cert_file = cert.cert, .key_file = cert.key});
}

bool tls_built_in() {
    try {
        corio::tls::client_context({.system_trust = false});
        return true;
    } catch (const corio::tls::TlsUnavailable&) {
        return false;
    }
}

corio::Coro<RunResult> run_beside(std::vector<std::string> argv, std::chrono::milliseconds timeout,
                                  std::vector<std::string> extra_env) {
    co_return co_await corio::to_thread(run_program, argv, timeout, extra_env);
}

std::string spki_sha256(const std::string& cert_file) {
    RunResult r = run_program(
        {"/bin/sh", "-c",
         "openssl x509 -pubkey -noout -in '" + cert_file +
             "' | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64"},
        std::chrono::seconds(10));
    if (r.status != 0) return "";
    while (!r.output.empty() && (r.output.back() == '\n' || r.output.back() == '\r'))
        r.output.pop_back();
    return r.output;
}

}  // namespace corio_test
