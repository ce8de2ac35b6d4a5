// TLS through Stream against nginx, printed beside wrk (hidden [.bench]; numbers, no asserts).
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>

#include "corio/tls.hpp"
#include "tls_support.hpp"

using namespace corio;

namespace {
double since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
const std::string kEnd = "\r\n\r\na plain page\n";

Coro<double> keepalive(uint16_t port, ConnectOptions o, int n) {
    Stream s = co_await open_connection("127.0.0.1", port, o);
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
        s.write("GET /page.txt HTTP/1.1\r\nHost: localhost\r\n\r\n");
        co_await s.drain();
        co_await s.read_until(kEnd);
    }
    co_return n / since(t0);
}

Coro<double> per_connection(uint16_t port, ConnectOptions o, int n) {
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
        Stream s = co_await open_connection("127.0.0.1", port, o);
        s.write("GET /page.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        co_await s.drain();
        while (!(co_await s.read()).empty()) {
        }
    }
    co_return n / since(t0);
}

std::string wrk(const std::string& args) {
    FILE* p = popen(("wrk -t1 -c1 -d3s " + args + " 2>&1 | grep Requests/sec").c_str(), "r");
    char buf[256] = {0};
    if (p) {
        if (!fgets(buf, sizeof buf, p)) buf[0] = 0;
        pclose(p);
    }
    return buf;
}
}  // namespace

TEST_CASE("TLS through Stream against nginx beside wrk", "[.bench]") {
    static corio_test::TestPki pki;
    corio_test::NginxTlsPeer nginx(pki.good);
    ConnectOptions full, resumed, plain;
    full.tls =
        tls::client_context({.system_trust = false, .ca_file = pki.ca(), .session_cache_size = 0});
    resumed.tls = tls::client_context({.system_trust = false, .ca_file = pki.ca()});
    corio::run([&]() -> Coro<void> {
        std::printf("Stream TLS keep-alive:        %8.0f req/s\n",
                    co_await keepalive(nginx.tls_port(), full, 20000));
        std::printf("Stream plain keep-alive:      %8.0f req/s\n",
                    co_await keepalive(nginx.plain_port(), plain, 20000));
        std::printf("Stream TLS conn/req, full:    %8.0f req/s\n",
                    co_await per_connection(nginx.tls_port(), full, 500));
        std::printf("Stream TLS conn/req, resumed: %8.0f req/s\n",
                    co_await per_connection(nginx.tls_port(), resumed, 500));
        std::printf("Stream plain conn/req:        %8.0f req/s\n",
                    co_await per_connection(nginx.plain_port(), plain, 2000));
    }());
    std::string t = "https://localhost:" + std::to_string(nginx.tls_port()) + "/page.txt";
    std::string h = "http://127.0.0.1:" + std::to_string(nginx.plain_port()) + "/page.txt";
    std::printf("wrk https keep-alive:   %s", wrk(t).c_str());
    std::printf("wrk http keep-alive:    %s", wrk(h).c_str());
    std::printf("wrk https conn/req:     %s", wrk("-H 'Connection: close' " + t).c_str());
    std::printf("wrk http conn/req:      %s", wrk("-H 'Connection: close' " + h).c_str());
    SUCCEED();
}
