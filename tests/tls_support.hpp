// Certificates for the TLS tests, made with the `openssl` command in a temporary directory: a
// test CA, a good server certificate for localhost/127.0.0.1/::1, an expired one, one for the
// wrong host, one from a CA nobody trusts. No OpenSSL API here: this file is linked into every
// test binary, also when corio is built without TLS.
#pragma once

#include <string>

#include "http_peer_support.hpp"

namespace corio_test {

// A certificate file and its key file (PEM).
struct CertPair {
    std::string cert;
    std::string key;
};

class TestPki {
public:
    TestPki();  // aborts the test binary when `openssl` fails (nothing could be tested)
    const std::string& dir() const { return dir_.path(); }
    const std::string& ca() const { return ca_; }  // the test CA's certificate
    CertPair good;                                 // SANs localhost, 127.0.0.1, ::1; signed by ca()
    CertPair expired;     // the same names, but its validity ended yesterday
    CertPair wrong_host;  // SAN DNS:wrong.example only
    CertPair unknown_ca;  // the good names, signed by a CA outside ca()

private:
    CertPair issue(const std::string& name, const std::string& san, const std::string& ca_name,
                   int days);
    TempDir dir_;
    std::string ca_;
};

// Runs a shell command; true when it exits 0.
bool run_shell(const std::string& command);

}  // namespace corio_test
