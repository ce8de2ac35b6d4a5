// Certificates for the TLS tests, made with the `openssl` command in a temporary directory: a
// test CA, a good server certificate for localhost/127.0.0.1/::1, an expired one, one for the
// wrong host, one from a CA nobody trusts. No OpenSSL API here: this file is linked into every
// test binary, also when corio is built without TLS.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "corio/corio.hpp"
#include "corio/transport.hpp"
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

// One TestPki per test binary, made at its first use.
const TestPki& test_pki();

// http::ClientSession options trusting test_pki()'s CA and nothing else (no system store).
corio::http::ClientOptions trusting_test_ca();

// A TLS connection pumped by hand over a plain corio::Stream, through the public Transport
// interface: lets the tests meet real peers (nginx, curl, Python) before the net layer carries
// transports itself. Not a user API: the real integration lives in Stream.
class TlsOverStream {
public:
    TlsOverStream(corio::Stream s, std::unique_ptr<corio::Transport> t)
        : s_(std::move(s)), t_(std::move(t)) {}
    corio::Coro<void> handshake();
    // The next plaintext; "" at a clean end (close_notify). Throws the transport's errors
    // (tls::TruncatedError when the peer ends without close_notify).
    corio::Coro<std::string> read();
    // Everything until the end of the stream.
    corio::Coro<std::string> read_all();
    corio::Coro<void> write(std::string_view plain);
    // close_notify, then the socket; `notify` false leaves close_notify out (a truncation).
    corio::Coro<void> close(bool notify = true);
    corio::Transport& transport() { return *t_; }

private:
    corio::Coro<void> send_out();
    corio::Stream s_;
    std::unique_ptr<corio::Transport> t_;
    std::string out_, plain_;
};

// nginx (see NginxPeer) also serving its site over https on tls_port() with cert;
// extra_tls_config goes inside the https server block (e.g. an add_header line).
class NginxTlsPeer {
public:
    explicit NginxTlsPeer(const CertPair& cert, const std::string& extra_tls_config = "");
    uint16_t plain_port() const { return nginx_->port(); }
    uint16_t tls_port() const { return tls_port_; }

private:
    uint16_t tls_port_;
    std::unique_ptr<NginxPeer> nginx_;
};

// Runs a shell command; true when it exits 0.
bool run_shell(const std::string& command);

}  // namespace corio_test
