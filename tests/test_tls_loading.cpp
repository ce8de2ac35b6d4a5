// OpenSSL is loaded into the process when the first TLS context is made, not at start: a program
// that speaks only plain TCP, HTTP or WebSocket never maps libssl. (One test case, alone in its
// binary, so that nothing before it has made a context.)
#include <catch2/catch.hpp>
#include <fstream>
#include <string>

#include "corio/tls.hpp"

namespace {

bool mapped(const std::string& library) {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line))
        if (line.find(library) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("OpenSSL is loaded by the first TLS context, and not before", "[tls]") {
    REQUIRE_FALSE(mapped("/libssl.so"));
    REQUIRE_FALSE(mapped("/libcrypto.so"));
    auto client = corio::tls::client_context();
    REQUIRE(client);
    REQUIRE(mapped("/libssl.so"));
    REQUIRE(mapped("/libcrypto.so"));
    // A second context reuses what is loaded; both work side by side.
    corio::tls::ClientOptions o;
    o.insecure = true;
    auto other = corio::tls::client_context(o);
    REQUIRE(other->insecure());
    REQUIRE_FALSE(client->insecure());
}
