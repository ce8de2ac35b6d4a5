// ClientSession against real peers: nginx (keep-alive, gzip, HEAD, redirects, the pool's
// connection count under load, read via stub_status) and Python's http.server (HTTP/1.0, a
// connection per request). Every await is bounded so a broken client fails instead of hanging.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "corio/corio.hpp"
#include "corio/http/client.hpp"
#include "http_peer_support.hpp"

using namespace std::chrono_literals;
using corio::Coro;
using corio::http::ClientOptions;
using corio::http::ClientSession;
using corio::http::Response;
using corio_test::NginxPeer;

namespace {

template <class T>
Coro<T> bounded(Coro<T> c) {
    co_return co_await corio::wait_for(std::move(c), 20s);
}

}  // namespace

TEST_CASE("a GET from nginx returns the file, gzip-decoded, with its headers",
          "[http][client][nginx]") {
    NginxPeer nginx;
    corio::run([&]() -> Coro<void> {
        ClientSession session;
        Response r = co_await bounded(session.get(nginx.url("/index.html")));
        CHECK(r.status == 200);
        CHECK(r.reason == "OK");
        CHECK(r.ok());
        CHECK(r.body == NginxPeer::index_html());
        CHECK(r.text() == NginxPeer::index_html());
        CHECK(r.headers.get("content-encoding") == std::optional<std::string_view>("gzip"));
        CHECK(r.content_type() == "text/html");
        CHECK(r.url.str() == nginx.url("/index.html"));
        CHECK(r.history.empty());
        Response big = co_await bounded(session.get(nginx.url("/big.txt")));
        CHECK(big.body == NginxPeer::big_text());
        Response empty = co_await bounded(session.get(nginx.url("/empty.txt")));
        CHECK(empty.status == 200);
        CHECK(empty.body.empty());
        co_await session.close();
    }());
}

TEST_CASE("with decompression off the body stays gzip only if asked for", "[http][client][nginx]") {
    NginxPeer nginx;
    corio::run([&]() -> Coro<void> {
        ClientSession plain(ClientOptions{.decompress = false});
        Response r = co_await bounded(plain.get(nginx.url("/index.html")));
        CHECK(r.body == NginxPeer::index_html());  // no Accept-Encoding sent: identity
        CHECK_FALSE(r.headers.contains("Content-Encoding"));
        corio::http::Headers ask{{"Accept-Encoding", "gzip"}};
        Response raw = co_await bounded(plain.request("GET", nginx.url("/index.html"), ask));
        CHECK(raw.headers.get("Content-Encoding") == std::optional<std::string_view>("gzip"));
        REQUIRE(raw.body.size() > 2);
        CHECK(raw.body.substr(0, 2) == "\x1f\x8b");
        CHECK(raw.body.size() < NginxPeer::index_html().size());
    }());
}

TEST_CASE("HEAD and 404 from nginx: no body read, errors are statuses", "[http][client][nginx]") {
    NginxPeer nginx;
    corio::run([&]() -> Coro<void> {
        ClientSession session;
        Response h = co_await bounded(session.head(nginx.url("/big.txt")));
        CHECK(h.status == 200);
        CHECK(h.body.empty());
        CHECK(h.headers.get("Content-Encoding") == std::optional<std::string_view>("gzip"));
        corio::http::Headers identity{{"Accept-Encoding", "identity"}};
        Response h2 = co_await bounded(session.request("HEAD", nginx.url("/big.txt"), identity));
        CHECK(h2.body.empty());
        CHECK(h2.headers.get("Content-Length") == std::optional<std::string_view>("1048576"));
        Response missing = co_await bounded(session.get(nginx.url("/nope.html")));
        CHECK(missing.status == 404);
        CHECK_FALSE(missing.ok());
        // The HEAD left the connection clean: the next GET on it reads the right body.
        Response after = co_await bounded(session.get(nginx.url("/page.txt")));
        CHECK(after.body == "a plain page\n");
        CHECK(session.connections_opened() == 1);
    }());
}

TEST_CASE("nginx redirects are followed and a redirect loop is reported", "[http][client][nginx]") {
    NginxPeer nginx;
    corio::run([&]() -> Coro<void> {
        ClientSession session;
        Response r = co_await bounded(session.get(nginx.url("/moved")));
        CHECK(r.status == 200);
        CHECK(r.url.str() == nginx.url("/index.html"));
        REQUIRE(r.history.size() == 1);
        CHECK(r.history[0].str() == nginx.url("/moved"));
        std::string what;
        try {
            co_await bounded(session.get(nginx.url("/loop")));
        } catch (const corio::http::TooManyRedirects& e) {
            what = e.what();
        }
        CHECK(what.find("loop") != std::string::npos);
        ClientSession manual(ClientOptions{.max_redirects = 0});
        std::string too_many;
        try {
            co_await bounded(manual.get(nginx.url("/moved")));
        } catch (const corio::http::TooManyRedirects& e) {
            too_many = e.what();
        }
        CHECK(too_many.find("too many redirects") != std::string::npos);
    }());
}

TEST_CASE("a session outlives a loop run and serves the next one", "[http][client][nginx]") {
    NginxPeer nginx;
    ClientSession session;  // its idle connection and expiry timer belong to the first run
    for (int run = 0; run < 2; ++run) {
        corio::run([&]() -> Coro<void> {
            Response r = co_await bounded(session.get(nginx.url("/page.txt")));
            CHECK(r.body == "a plain page\n");
        }());
    }
    CHECK(session.connections_opened() == 2);
}

TEST_CASE("1,000 URLs at concurrency 100 open at most 100 connections to nginx",
          "[http][client][nginx]") {
    NginxPeer nginx;
    long before = nginx.accepts();
    size_t opened = 0;
    corio::run([&]() -> Coro<void> {
        ClientSession session;
        corio::Semaphore sem{100};
        auto fetch = [&](int i) -> Coro<bool> {
            auto held = co_await sem.acquire();
            Response r = co_await session.get(nginx.url("/n/" + std::to_string(i) + ".html"));
            co_return r.status == 200 && r.body == "<p>page " + std::to_string(i) + "</p>\n";
        };
        std::vector<Coro<bool>> all;
        for (int i = 0; i < 1000; ++i) all.push_back(fetch(i));
        std::vector<bool> ok = co_await corio::wait_for(corio::gather(std::move(all)), 30s);
        CHECK(std::count(ok.begin(), ok.end(), true) == 1000);
        opened = session.connections_opened();
    }());
    long after = nginx.accepts();
    CHECK(opened <= 100);
    CHECK(opened >= 1);
    // The difference holds the stub_status request itself.
    CHECK(after - before - 1 <= 100);
    CHECK(after - before - 1 == static_cast<long>(opened));
}

TEST_CASE("a per-host limit caps connections to nginx", "[http][client][nginx]") {
    NginxPeer nginx;
    long before = nginx.accepts();
    corio::run([&]() -> Coro<void> {
        ClientSession session(ClientOptions{.limit = 100, .limit_per_host = 4});
        std::vector<Coro<Response>> all;
        for (int i = 0; i < 50; ++i) all.push_back(session.get(nginx.url("/page.txt")));
        auto rs = co_await corio::wait_for(corio::gather(std::move(all)), 20s);
        CHECK(rs.size() == 50);
        CHECK(session.connections_opened() <= 4);
    }());
    CHECK(nginx.accepts() - before - 1 <= 4);
}

TEST_CASE("Python's http.server (HTTP/1.0) serves files, a connection per request",
          "[http][client][python]") {
    corio_test::TempDir site;
    site.write("a.txt", "alpha\n");
    site.write("b.html", NginxPeer::index_html());
    corio_test::PythonHttpServer py(site.path());
    corio::run([&]() -> Coro<void> {
        ClientSession session;
        for (int i = 0; i < 3; ++i) {
            Response a = co_await bounded(session.get(py.url("/a.txt")));
            CHECK(a.status == 200);
            CHECK(a.body == "alpha\n");
        }
        Response b = co_await bounded(session.get(py.url("/b.html")));
        CHECK(b.body == NginxPeer::index_html());
        CHECK(b.content_type() == "text/html");
        Response missing = co_await bounded(session.get(py.url("/missing")));
        CHECK(missing.status == 404);
        CHECK(session.connections_opened() == 5);  // HTTP/1.0 closes after each response
    }());
}
