// https:// in http::ClientSession against real peers: nginx serving https with the test CA,
// keep-alive and TLS session resumption within a session, concurrency, and POST to a corio TLS
// server. The failures (certificates, plain HTTP, truncation, timeouts) are in
// test_tls_http_client_errors.cpp.
#include <catch2/catch.hpp>

#include "corio/http/client.hpp"
#include "corio/tls.hpp"
#include "http_client_fixture.hpp"
#include "tls_support.hpp"

using namespace corio;
using namespace std::chrono_literals;
using corio::http::ClientOptions;
using corio::http::ClientSession;
using corio::http::Response;
using corio_test::TestPki;
using corio_test::trusting_test_ca;

namespace {

const TestPki& pki() { return corio_test::test_pki(); }

std::string https_url(uint16_t port, const std::string& path) {
    return "https://localhost:" + std::to_string(port) + path;
}

template <class F>
auto run_bounded(F f) {
    return corio::run(wait_for(f(), 30s));
}

// nginx adds whether the TLS session was resumed ("r") or not (".") to every answer.
const char* kReusedHeader = "    add_header X-Tls-Reused $ssl_session_reused;\n";

}  // namespace

TEST_CASE("GET over https from nginx with ca_file: bodies, keep-alive on one connection",
          "[tls][http][client]") {
    corio_test::NginxTlsPeer nginx(pki().good);
    auto [small, big, head_status, final_url, opened] =
        run_bounded([&]() -> Coro<std::tuple<Response, Response, int, std::string, size_t>> {
            ClientSession session(trusting_test_ca());
            Response small = co_await session.get(https_url(nginx.tls_port(), "/page.txt"));
            Response big = co_await session.get(https_url(nginx.tls_port(), "/big.txt"));
            Response head = co_await session.head(https_url(nginx.tls_port(), "/index.html"));
            co_await session.close();
            co_return std::tuple{small, big, head.status, small.url.str(),
                                 session.connections_opened()};
        });
    CHECK(small.status == 200);
    CHECK(small.body == "a plain page\n");
    CHECK(final_url == https_url(nginx.tls_port(), "/page.txt"));
    CHECK(big.status == 200);
    CHECK(big.body == corio_test::NginxPeer::big_text());
    CHECK(head_status == 200);
    CHECK(opened == 1);  // three requests, one kept-alive TLS connection
}

TEST_CASE("a session resumes TLS sessions on its new connections; another session does not",
          "[tls][http][client]") {
    corio_test::NginxTlsPeer nginx(pki().good, kReusedHeader);
    auto reused = run_bounded([&]() -> Coro<std::vector<std::string>> {
        std::vector<std::string> seen;
        std::string url = https_url(nginx.tls_port(), "/page.txt");
        http::Headers close;
        close.add("Connection", "close");  // each request on a connection of its own
        ClientSession session(trusting_test_ca());
        for (int i = 0; i < 3; ++i) {
            Response r = co_await session.request("GET", url, close);
            seen.emplace_back(r.headers.get("X-Tls-Reused").value_or("?"));
        }
        seen.push_back(std::to_string(session.connections_opened()));
        ClientSession other(trusting_test_ca());
        Response r = co_await other.get(url);
        seen.emplace_back(r.headers.get("X-Tls-Reused").value_or("?"));
        co_return seen;
    });
    CHECK(reused == std::vector<std::string>{".", "r", "r", "3", "."});
}

TEST_CASE("50 https requests gathered at once share a bounded pool", "[tls][http][client]") {
    corio_test::NginxTlsPeer nginx(pki().good);
    auto [bodies, opened] = run_bounded([&]() -> Coro<std::pair<std::vector<std::string>, size_t>> {
        ClientOptions o = trusting_test_ca();
        o.limit = 8;
        ClientSession session(o);
        std::vector<Coro<Response>> requests;
        for (int i = 0; i < 50; ++i) {
            requests.push_back(
                session.get(https_url(nginx.tls_port(), "/n/" + std::to_string(i) + ".html")));
        }
        std::vector<Response> got = co_await gather(std::move(requests));
        std::vector<std::string> bodies;
        for (const Response& r : got) bodies.push_back(std::to_string(r.status) + " " + r.body);
        co_return std::pair{bodies, session.connections_opened()};
    });
    REQUIRE(bodies.size() == 50);
    for (size_t i = 0; i < bodies.size(); ++i) {
        CHECK(bodies[i] == "200 <p>page " + std::to_string(i) + "</p>\n");
    }
    CHECK(opened >= 1);
    CHECK(opened <= 8);
}

TEST_CASE("POST over https to a corio TLS server sends the body and the Host field",
          "[tls][http][client]") {
    corio::ServerOptions so;
    so.tls = tls::server_context({.cert_file = pki().good.cert, .key_file = pki().good.key});
    auto echo = corio_test::answer([](const corio_test::RawRequest& req) {
        return corio_test::ok(req.method() + " " + req.target() + " " + req.body,
                              req.has("\r\nHost: localhost:") ? "X-Host: ok\r\n" : "");
    });
    auto [r, posted_big] = run_bounded([&]() -> Coro<std::pair<Response, size_t>> {
        Server server = co_await start_server(echo, "127.0.0.1", 0, so);
        ClientSession session(trusting_test_ca());
        Response r = co_await session.post(https_url(server.port(), "/form?x=1"), "a=1&b=2",
                                           "application/x-www-form-urlencoded");
        std::string big(300 * 1024, 'p');  // past the inline body: written after the head
        Response b = co_await session.post(https_url(server.port(), "/big"), big);
        co_await session.close();
        server.close();
        co_return std::pair{r, b.body.size()};
    });
    CHECK(r.status == 200);
    CHECK(r.body == "POST /form?x=1 a=1&b=2");
    CHECK(r.headers.get("X-Host") == "ok");
    CHECK(posted_big == std::string("POST /big ").size() + 300 * 1024);
}
