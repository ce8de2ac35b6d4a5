// TLS cost, measured and printed, never asserted (hidden: run with `test_tls_bench [.bench]`):
// the engine over TlsOverStream against nginx (new connection per request, full handshake and
// resumed; keep-alive requests over TLS and over plain TCP), beside wrk on the same nginx.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>

#include "corio/tls.hpp"
#include "tls_support.hpp"

using namespace corio;
using namespace std::chrono_literals;
using corio_test::TlsOverStream;

namespace {

const std::string kRequest = "GET /page.txt HTTP/1.1\r\nHost: localhost\r\n\r\n";
const std::string kEnd = "\r\n\r\na plain page\n";  // the end of each response

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// n requests on one TLS connection (keep-alive); requests per second.
Coro<double> tls_keepalive(tls::ClientContext& ctx, uint16_t port, int n) {
    Stream s = co_await open_connection("127.0.0.1", port);
    TlsOverStream t(std::move(s), ctx.open("localhost", port));
    co_await t.handshake();
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
        co_await t.write(kRequest);
        std::string got;
        while (got.size() < kEnd.size() ||
               got.compare(got.size() - kEnd.size(), kEnd.size(), kEnd)) {
            std::string part = co_await t.read();
            if (part.empty()) throw std::runtime_error("nginx closed the connection");
            got += part;
        }
    }
    double r = n / seconds_since(t0);
    co_await t.close();
    co_return r;
}

Coro<double> plain_keepalive(uint16_t port, int n) {
    Stream s = co_await open_connection("127.0.0.1", port);
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
        s.write(kRequest);
        co_await s.drain();
        co_await s.read_until(kEnd);
    }
    co_return n / seconds_since(t0);
}

// n connections one after another, each a handshake and one request; connections per second.
Coro<double> tls_per_connection(tls::ClientContext& ctx, uint16_t port, int n) {
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
        Stream s = co_await open_connection("127.0.0.1", port);
        TlsOverStream t(std::move(s), ctx.open("localhost", port));
        co_await t.handshake();
        co_await t.write("GET /page.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        co_await t.read_all();
        co_await t.close();
    }
    co_return n / seconds_since(t0);
}

std::string wrk(const std::string& url, bool close) {
    std::string cmd = "wrk -t1 -c1 -d3s " + std::string(close ? "-H 'Connection: close' " : "") +
                      url + " 2>&1 | grep Requests/sec";
    FILE* p = popen(cmd.c_str(), "r");
    char buf[256] = {0};
    if (p) {
        if (!fgets(buf, sizeof buf, p)) buf[0] = 0;
        pclose(p);
    }
    return buf;
}

}  // namespace

TEST_CASE("TLS cost against nginx beside wrk (numbers printed)", "[.bench]") {
    static corio_test::TestPki pki;
    corio_test::NginxTlsPeer nginx(pki.good);
    auto resuming = tls::client_context({.system_trust = false, .ca_file = pki.ca()});
    auto full =
        tls::client_context({.system_trust = false, .ca_file = pki.ca(), .session_cache_size = 0});
    std::string tls_url = "https://localhost:" + std::to_string(nginx.tls_port()) + "/page.txt";
    std::string plain_url = "http://127.0.0.1:" + std::to_string(nginx.plain_port()) + "/page.txt";
    corio::run([&]() -> Coro<void> {
        std::printf("corio engine, keep-alive over TLS:  %8.0f req/s\n",
                    co_await tls_keepalive(*full, nginx.tls_port(), 20000));
        std::printf("corio, keep-alive over plain TCP:   %8.0f req/s\n",
                    co_await plain_keepalive(nginx.plain_port(), 20000));
        std::printf("corio engine, new TLS conn, full:   %8.0f conn/s\n",
                    co_await tls_per_connection(*full, nginx.tls_port(), 500));
        std::printf("corio engine, new TLS conn, resumed:%8.0f conn/s\n",
                    co_await tls_per_connection(*resuming, nginx.tls_port(), 500));
    }());
    std::printf("wrk https keep-alive:  %s", wrk(tls_url, false).c_str());
    std::printf("wrk http keep-alive:   %s", wrk(plain_url, false).c_str());
    std::printf("wrk https conn/request:%s", wrk(tls_url, true).c_str());
    SUCCEED("numbers printed above");
}
