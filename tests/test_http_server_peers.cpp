// http::serve against real clients: curl (keep-alive reuse across URLs, a chunked upload,
// Expect: 100-continue, HTTP/1.0, HEAD) and wrk (a short load run with no errors). The peers run
// from a thread while the loop serves.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "corio/corio.hpp"
#include "corio/http/server.hpp"
#include "http_peer_support.hpp"
#include "http_support.hpp"
#include "net_support.hpp"

using namespace std::chrono_literals;
using corio::Coro;
using corio::http::Request;
using corio::http::Response;
using corio_test::run_child;

namespace {

// Answers with what it received: method, path, body size and a hash of the body.
struct Echo {
    std::vector<std::string> peers;
    corio::http::Handler handler() {
        return [this](Request& r) -> Coro<Response> {
            peers.push_back(r.peer);
            std::string body = r.method + " " + std::string(r.path()) + " " +
                               std::to_string(r.body.size()) + " " +
                               std::to_string(corio_test::fnv1a(r.body)) + "\n";
            co_return Response::text(200, std::move(body));
        };
    }
};

std::string curl() {
    std::string c = corio_test::find_program("curl");
    REQUIRE(!c.empty());
    return c;
}

std::string url(const corio::Server& s, const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(s.port()) + path;
}

std::string blob(size_t n) {
    std::string b(n, '\0');
    for (size_t i = 0; i < n; ++i) b[i] = static_cast<char>((i * 31 + 7) % 251);
    return b;
}

}  // namespace

TEST_CASE("curl fetches two URLs over one kept-alive connection", "[http_server_peers]") {
    corio::run([]() -> Coro<void> {
        Echo echo;
        corio::Server server = co_await corio::http::serve(echo.handler(), "127.0.0.1", 0);
        std::vector<std::string> run_argv = {curl(),
                                             "-s",
                                             "--http1.1",
                                             "-w",
                                             "%{num_connects}\\n",
                                             url(server, "/one"),
                                             url(server, "/two")};
        auto run = co_await run_child(run_argv);
        REQUIRE(run.status == 0);
        REQUIRE(run.out == "GET /one 0 " + std::to_string(corio_test::fnv1a("")) + "\n1\n" +
                               "GET /two 0 " + std::to_string(corio_test::fnv1a("")) + "\n0\n");
        REQUIRE(echo.peers.size() == 2);
        REQUIRE(echo.peers[0] == echo.peers[1]);
    }());
}

TEST_CASE("curl uploads a chunked body and one behind Expect: 100-continue",
          "[http_server_peers]") {
    corio_test::TempDir tmp;
    std::string big = blob(200 * 1024), small = blob(3000);
    std::string big_path = tmp.write("big.bin", big), small_path = tmp.write("small.bin", small);
    corio::run([&]() -> Coro<void> {
        Echo echo;
        corio::Server server = co_await corio::http::serve(echo.handler(), "127.0.0.1", 0);
        std::vector<std::string> chunked_argv = {
            curl(),          "-s",           "--http1.1",       "-H", "Transfer-Encoding: chunked",
            "--data-binary", "@" + big_path, url(server, "/up")};
        auto chunked = co_await run_child(chunked_argv);
        REQUIRE(chunked.status == 0);
        REQUIRE(chunked.out == "POST /up " + std::to_string(big.size()) + " " +
                                   std::to_string(corio_test::fnv1a(big)) + "\n");
        // -D - dumps every header block: the interim 100 must come before the 200.
        std::vector<std::string> expect_argv = {curl(),
                                                "-s",
                                                "--http1.1",
                                                "-D",
                                                "-",
                                                "-H",
                                                "Expect: 100-continue",
                                                "--data-binary",
                                                "@" + small_path,
                                                url(server, "/expect")};
        auto expect = co_await run_child(expect_argv);
        REQUIRE(expect.status == 0);
        size_t interim = expect.out.find("HTTP/1.1 100 Continue\r\n");
        size_t final_at = expect.out.find("HTTP/1.1 200 OK\r\n");
        REQUIRE(interim != std::string::npos);
        REQUIRE(final_at != std::string::npos);
        REQUIRE(interim < final_at);
        REQUIRE(expect.out.find("POST /expect 3000 " + std::to_string(corio_test::fnv1a(small)) +
                                "\n") != std::string::npos);
    }());
}

TEST_CASE("curl speaks HTTP/1.0 and HEAD to the server", "[http_server_peers]") {
    corio::run([]() -> Coro<void> {
        Echo echo;
        corio::Server server = co_await corio::http::serve(echo.handler(), "127.0.0.1", 0);
        std::vector<std::string> old_argv = {curl(), "-s", "--http1.0",
                                             "-D",   "-",  url(server, "/v10")};
        auto old = co_await run_child(old_argv);
        REQUIRE(old.status == 0);
        REQUIRE(old.out.find("Connection: close\r\n") != std::string::npos);
        REQUIRE(old.out.find("GET /v10 0 ") != std::string::npos);
        std::vector<std::string> head_argv = {curl(), "-s", "-I", url(server, "/h")};
        auto head = co_await run_child(head_argv);
        REQUIRE(head.status == 0);
        REQUIRE(head.out.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
        REQUIRE(head.out.find("Content-Length: ") != std::string::npos);
        REQUIRE(head.out.find("HEAD /h") == std::string::npos);
    }());
}

TEST_CASE("wrk runs two seconds against the server without an error", "[http_server_peers]") {
    std::string wrk = corio_test::find_program("wrk");
    REQUIRE(!wrk.empty());
    corio::run([&]() -> Coro<void> {
        auto hello = [](Request&) -> Coro<Response> {
            co_return Response::text(200, "Hello, World!");
        };
        corio::Server server = co_await corio::http::serve(hello, "127.0.0.1", 0);
        std::vector<std::string> run_argv = {wrk, "-t1", "-c20", "-d2", url(server, "/")};
        auto run = co_await run_child(run_argv);
        INFO(run.out);
        REQUIRE(run.status == 0);
        REQUIRE(run.out.find("Requests/sec") != std::string::npos);
        REQUIRE(run.out.find("Socket errors") == std::string::npos);
        REQUIRE(run.out.find("Non-2xx") == std::string::npos);
        REQUIRE(run.out.find(" 0 requests in") == std::string::npos);
    }());
}
