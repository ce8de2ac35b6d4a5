// TestPki: certificates made by the `openssl` command for the TLS tests (see tls_support.hpp).
#include "tls_support.hpp"

#include <cstdio>
#include <cstdlib>

namespace corio_test {

bool run_shell(const std::string& command) { return std::system(command.c_str()) == 0; }

namespace {

void must(const std::string& command) {
    if (!run_shell("cd /tmp && " + command + " >/dev/null 2>&1")) {
        std::fprintf(stderr, "tls_support: failed: %s\n", command.c_str());
        std::abort();
    }
}

const char* kEcKey = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";

void make_ca(const std::string& dir, const std::string& name) {
    must("openssl req -x509 " + std::string(kEcKey) + " -keyout " + dir + "/" + name +
         ".key -out " + dir + "/" + name + ".pem -days 30 -subj /CN=corio-test-" + name +
         " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign");
}

}  // namespace

TestPki::TestPki() {
    make_ca(dir(), "ca");
    make_ca(dir(), "other-ca");
    ca_ = dir() + "/ca.pem";
    const std::string names = "DNS:localhost,IP:127.0.0.1,IP:::1";
    good = issue("good", names, "ca", 30);
    expired = issue("expired", names, "ca", -1);
    wrong_host = issue("wrong-host", "DNS:wrong.example", "ca", 30);
    unknown_ca = issue("unknown-ca", names, "other-ca", 30);
}

const TestPki& test_pki() {
    static TestPki pki;
    return pki;
}

corio::http::ClientOptions trusting_test_ca() {
    corio::http::ClientOptions o;
    o.ca_file = test_pki().ca();
    o.system_trust = false;
    return o;
}

CertPair TestPki::issue(const std::string& name, const std::string& san, const std::string& ca_name,
                        int days) {
    std::string base = dir() + "/" + name;
    std::string ext =
        dir_.write(name + ".ext", "subjectAltName=" + san + "\nextendedKeyUsage=serverAuth\n");
    must("openssl req " + std::string(kEcKey) + " -keyout " + base + ".key -out " + base +
         ".csr -subj /CN=" + name);
    must("openssl x509 -req -in " + base + ".csr -CA " + dir() + "/" + ca_name + ".pem -CAkey " +
         dir() + "/" + ca_name + ".key -CAcreateserial -days " + std::to_string(days) +
         " -extfile " + ext + " -out " + base + ".pem");
    return CertPair{base + ".pem", base + ".key"};
}

corio::Coro<void> TlsOverStream::send_out() {
    if (out_.empty()) co_return;
    s_.write(out_);
    out_.clear();
    co_await s_.drain();
}

corio::Coro<void> TlsOverStream::handshake() {
    t_->start(out_);
    co_await send_out();
    while (!t_->ready()) {
        std::string wire = co_await s_.read();
        if (wire.empty()) t_->end_of_input();  // throws: the peer left mid-handshake
        t_->receive(wire, plain_, out_);
        co_await send_out();
    }
}

corio::Coro<std::string> TlsOverStream::read() {
    while (plain_.empty() && !t_->input_closed()) {
        std::string wire = co_await s_.read();
        if (wire.empty()) {
            t_->end_of_input();
            break;
        }
        t_->receive(wire, plain_, out_);
        co_await send_out();
    }
    std::string got = std::move(plain_);
    plain_.clear();
    co_return got;
}

corio::Coro<std::string> TlsOverStream::read_all() {
    std::string all;
    for (;;) {
        std::string part = co_await read();
        if (part.empty()) co_return all;
        all += part;
    }
}

corio::Coro<void> TlsOverStream::write(std::string_view plain) {
    t_->send(plain, out_);
    co_await send_out();
}

corio::Coro<void> TlsOverStream::close(bool notify) {
    if (notify) t_->close(out_);
    co_await send_out();
    s_.close();
    co_await s_.wait_closed();
}

NginxTlsPeer::NginxTlsPeer(const CertPair& cert, const std::string& extra_tls_config)
    : tls_port_(free_port()) {
    // NginxPeer's extra config lands inside its server block: close that block and open an
    // https one serving the same site (NginxPeer's closing brace ends this one; a relative
    // root is relative to the prefix, NginxPeer's directory).
    nginx_ = std::make_unique<NginxPeer>(
        "  }\n  server {\n    listen 127.0.0.1:" + std::to_string(tls_port_) +
        " ssl;\n    ssl_certificate " + cert.cert + ";\n    ssl_certificate_key " + cert.key +
        ";\n    ssl_protocols TLSv1.2 TLSv1.3;\n    root site;\n" + extra_tls_config);
    if (!wait_listening(tls_port_, std::chrono::seconds(10))) std::abort();
}

}  // namespace corio_test
