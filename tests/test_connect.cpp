// open_connection and resolve over loopback (real clock): refused connections, IPv4 and IPv6,
// each resolved address tried in turn, names resolved off the loop thread, DnsError.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "corio/corio.hpp"
#include "net/connect_any.hpp"
#include "net_support.hpp"

using namespace std::chrono_literals;
using corio::Coro;
using corio::Stream;

namespace {

// A port with nothing listening on it (bound for a moment, then released).
uint16_t free_port() {
    uint16_t port = 0;
    int fd = corio_test::raw_listen(port, 1);
    close(fd);
    return port;
}

Coro<void> echo_once(Stream s) {
    std::string line = co_await s.read_until("\n");
    s.write(line);
    co_await s.drain();
}

}  // namespace

TEST_CASE("connecting where nobody listens throws ConnectionRefusedError naming host and port",
          "[connect]") {
    corio::run([]() -> Coro<void> {
        uint16_t port = free_port();
        std::string message;
        int code = 0;
        try {
            co_await corio::open_connection("127.0.0.1", port);
        } catch (const corio::ConnectionRefusedError& e) {
            message = e.what();
            code = e.code();
        }
        REQUIRE(message.find("127.0.0.1:" + std::to_string(port)) != std::string::npos);
        REQUIRE(code == ECONNREFUSED);
    }());
}

TEST_CASE("a stream connects over IPv6 loopback", "[connect]") {
    corio::run([]() -> Coro<void> {
        corio::Server server = co_await corio::start_server(echo_once, "::1", 0);
        REQUIRE(server.addresses() ==
                std::vector<std::string>{"[::1]:" + std::to_string(server.port())});
        Stream s = co_await corio::open_connection("::1", server.port());
        s.write("over v6\n");
        std::string back = co_await s.read_until("\n");
        REQUIRE(back == "over v6\n");
        REQUIRE(s.peer() == "[::1]:" + std::to_string(server.port()));
    }());
}

TEST_CASE("each resolved address is tried in turn until one connects", "[connect]") {
    corio::run([]() -> Coro<void> {
        corio::Server server = co_await corio::start_server(echo_once, "127.0.0.1", 0);
        uint16_t port = server.port();
        // ::1 refuses (the server listens on IPv4 only), 127.0.0.1 accepts.
        std::vector<corio::SocketAddress> both = co_await corio::resolve("::1", port);
        std::vector<corio::SocketAddress> v4 = co_await corio::resolve("127.0.0.1", port);
        both.push_back(v4.front());
        Stream s = co_await corio::detail::connect_any(both, "dual.example", port, {});
        s.write("second address\n");
        std::string back = co_await s.read_until("\n");
        REQUIRE(back == "second address\n");
        // When every address fails, the error lists them all.
        server.close();
        std::string message;
        try {
            co_await corio::detail::connect_any(both, "dual.example", port, {});
        } catch (const corio::ConnectionRefusedError& e) {
            message = e.what();
        }
        REQUIRE(message.find("dual.example:" + std::to_string(port)) != std::string::npos);
        REQUIRE(message.find("[::1]:" + std::to_string(port)) != std::string::npos);
        REQUIRE(message.find("127.0.0.1:" + std::to_string(port)) != std::string::npos);
    }());
}

TEST_CASE("localhost is resolved and connected to", "[connect][dns]") {
    corio::run([]() -> Coro<void> {
        corio::Server server = co_await corio::start_server(echo_once, "127.0.0.1", 0);
        std::vector<corio::SocketAddress> found = co_await corio::resolve("localhost", 80);
        bool has_loopback = false;
        for (const auto& a : found) has_loopback |= a.to_string() == "127.0.0.1:80";
        REQUIRE(has_loopback);
        // ::1 comes first and is refused (nothing listens there); 127.0.0.1 is tried next.
        Stream s = co_await corio::open_connection("localhost", server.port());
        s.write("by name\n");
        std::string back = co_await s.read_until("\n");
        REQUIRE(back == "by name\n");
    }());
}

TEST_CASE("a name that cannot resolve throws DnsError naming host and port", "[connect][dns]") {
    corio::run([]() -> Coro<void> {
        // A label over 63 characters fails inside getaddrinfo without any network query.
        std::string host = std::string(70, 'a') + ".invalid";
        std::string message;
        try {
            co_await corio::open_connection(host, 4242);
        } catch (const corio::DnsError& e) {
            message = e.what();
        }
        REQUIRE(message.find(host + ":4242") != std::string::npos);
        // A numeric address of the wrong family is refused without a lookup.
        corio::ConnectOptions v6_only;
        v6_only.family = corio::Family::V6;
        bool wrong_family = co_await corio_test::throws_as<corio::DnsError>(
            corio::open_connection("127.0.0.1", 4242, v6_only));
        REQUIRE(wrong_family);
    }());
}

TEST_CASE("numeric addresses resolve without a lookup, with or without brackets", "[dns]") {
    corio::run([]() -> Coro<void> {
        auto v4 = co_await corio::resolve("127.0.0.1", 8080);
        auto v6 = co_await corio::resolve("[::1]", 8080);
        auto any = co_await corio::resolve("", 8080, corio::Family::Any, true);
        REQUIRE(v4.size() == 1);
        REQUIRE(v4[0].to_string() == "127.0.0.1:8080");
        REQUIRE(v4[0].port() == 8080);
        REQUIRE(v6.size() == 1);
        REQUIRE(v6[0].to_string() == "[::1]:8080");
        REQUIRE(any.size() == 2);
        REQUIRE(any[0].to_string() == "0.0.0.0:8080");
        REQUIRE(any[1].to_string() == "[::]:8080");
    }());
}

TEST_CASE("run_until_complete hands back a move-only Stream", "[connect]") {
    corio::Loop loop;
    corio::Server server = loop.run_until_complete(corio::start_server(echo_once, "127.0.0.1", 0));
    Stream s = loop.run_until_complete(corio::open_connection("127.0.0.1", server.port()));
    s.write("moved\n");
    std::string back = loop.run_until_complete(s.read_until("\n"));
    REQUIRE(back == "moved\n");
    server.close();
    loop.run_until_complete(server.wait_closed());  // lets the accept task finish
}

TEST_CASE("names are looked up off the loop thread, never on the loop's pool", "[connect][dns]") {
    corio::Loop loop;
    auto numeric = loop.run_until_complete(corio::resolve("127.0.0.1", 80));
    REQUIRE(numeric.size() == 1);
    // A label over 63 characters: getaddrinfo fails without any network query.
    std::string host = std::string(70, 'b') + ".invalid";
    bool failed =
        loop.run_until_complete(corio_test::throws_as<corio::DnsError>(corio::resolve(host, 80)));
    REQUIRE(failed);
    // A lookup that might hang must not sit on the pool the loop joins when it closes.
    REQUIRE(loop.default_executor().workers() == 0);
}
