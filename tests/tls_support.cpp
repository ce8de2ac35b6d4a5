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

}  // namespace corio_test
