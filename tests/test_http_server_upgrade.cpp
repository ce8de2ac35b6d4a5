// The upgrade hook of http::serve (Response::switching_protocols), on which ws::serve is built:
// the 101 goes out, the takeover gets the stream and the bytes sent right behind the request;
// an Upgrade the handler does not take (h2c) is answered as plain HTTP and the connection goes on.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "corio/corio.hpp"
#include "corio/http/server.hpp"
#include "http_support.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using corio::Coro;
using corio::Stream;
using corio::http::Headers;
using corio::http::Request;
using corio::http::Response;
using corio_test::HttpReply;
using corio_test::read_reply;

namespace {

// The "echo" protocol: after the 101, every byte comes back, the leftover first.
Coro<void> echo_protocol(Stream s, std::string leftover) {
    s.write("[" + leftover + "]");
    for (;;) {
        std::string chunk = co_await s.read();
        if (chunk.empty()) break;
        s.write(chunk);
        co_await s.drain();
    }
    s.close();
}

Coro<Response> upgrading(Request& r) {
    if (r.wants_upgrade() && r.headers.get("Upgrade") == "echo") {
        Headers h{{"Upgrade", "echo"}, {"Connection", "Upgrade"}};
        co_return Response::switching_protocols(std::move(h), echo_protocol);
    }
    co_return Response::text(200, "plain " + std::string(r.path()));
}

Coro<corio::Server> start(corio::http::Handler h) {
    co_return co_await corio::http::serve(std::move(h), "127.0.0.1", 0);
}

const char* kEchoUpgrade =
    "GET /chat HTTP/1.1\r\nHost: t\r\nUpgrade: echo\r\nConnection: keep-alive, Upgrade\r\n\r\n";

}  // namespace

TEST_CASE("a taken upgrade writes the 101 and hands over the stream with the leftover bytes",
          "[http_server_upgrade]") {
    corio::run([]() -> Coro<void> {
        corio::Server server = co_await start(upgrading);
        Stream s = co_await corio::open_connection("127.0.0.1", server.port());
        // Bytes of the new protocol right behind the request, in the same write.
        s.write(std::string(kEchoUpgrade) + "early bytes");
        std::string head = co_await corio::wait_for(s.read_until("\r\n\r\n"), 5s);
        std::string early = co_await corio::wait_for(s.read_exactly(13), 5s);
        s.write("later");
        std::string later = co_await corio::wait_for(s.read_exactly(5), 5s);
        s.write_eof();
        std::string rest = co_await corio_test::read_to_eof(s, 5s);
        REQUIRE(head.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0) == 0);
        REQUIRE(head.find("\r\nUpgrade: echo\r\n") != std::string::npos);
        REQUIRE(head.find("\r\nConnection: Upgrade\r\n") != std::string::npos);
        REQUIRE(head.find("Content-Length") == std::string::npos);
        REQUIRE(early == "[early bytes]");
        REQUIRE(later == "later");
        REQUIRE(rest.empty());
        REQUIRE(s.at_eof());
    }());
}

TEST_CASE("an upgrade behind pipelined requests is taken after their answers",
          "[http_server_upgrade]") {
    corio::run([]() -> Coro<void> {
        corio::Server server = co_await start(upgrading);
        Stream s = co_await corio::open_connection("127.0.0.1", server.port());
        s.write("GET /first HTTP/1.1\r\n\r\n" + std::string(kEchoUpgrade));
        std::string buf;
        HttpReply first = co_await read_reply(s, buf);
        REQUIRE(first.body == "plain /first");
        // What read_reply read past the first answer, and more until the echo's "[]".
        std::string rest = buf;
        while (rest.size() < 2 || rest.substr(rest.size() - 2) != "[]") {
            std::string more = co_await corio::wait_for(s.read(), 5s);
            if (more.empty()) break;
            rest += more;
        }
        REQUIRE(rest.rfind("HTTP/1.1 101 ", 0) == 0);
        // Nothing followed the upgrade request: the leftover is empty.
        REQUIRE(rest.substr(rest.find("\r\n\r\n") + 4) == "[]");
    }());
}

TEST_CASE(
    "an Upgrade: h2c the handler does not take is answered as HTTP and the connection goes on",
    "[http_server_upgrade]") {
    corio::run([]() -> Coro<void> {
        corio::Server server = co_await start(upgrading);
        Stream s = co_await corio::open_connection("127.0.0.1", server.port());
        s.write(
            "GET /h2 HTTP/1.1\r\nHost: t\r\nConnection: Upgrade, HTTP2-Settings\r\n"
            "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n"
            "GET /after HTTP/1.1\r\nHost: t\r\n\r\n");
        std::string buf;
        HttpReply a = co_await read_reply(s, buf);
        HttpReply b = co_await read_reply(s, buf);
        s.write("GET /third HTTP/1.1\r\n\r\n");
        HttpReply c = co_await read_reply(s, buf);
        REQUIRE(a.status == 200);
        REQUIRE(a.body == "plain /h2");
        REQUIRE(b.body == "plain /after");
        REQUIRE(c.body == "plain /third");
    }());
}

TEST_CASE("a 101 without a takeover is a handler error: 500", "[http_server_upgrade]") {
    std::string err = corio_test::capture_stderr([] {
        corio::run([]() -> Coro<void> {
            auto bad = [](Request&) -> Coro<Response> {
                Response r;
                r.status = 101;
                co_return r;
            };
            corio::Server server = co_await start(bad);
            HttpReply r = co_await corio_test::raw_exchange(server.port(), kEchoUpgrade);
            REQUIRE(r.status == 500);
        }());
    });
    REQUIRE(err.find("101") != std::string::npos);
}

TEST_CASE("the takeover may still read the handler's request", "[http_server_upgrade]") {
    // The connection frees what HTTP kept for a next request when it hands over, but the
    // request the handler got stays whole for the new protocol's lifetime.
    corio::run([]() -> Coro<void> {
        auto handler = [](Request& r) -> Coro<Response> {
            Request* req = &r;
            auto protocol = [req](Stream s, std::string) -> Coro<void> {
                co_await corio::sleep(10ms);
                s.write(std::string(req->path()) + " " +
                        std::string(req->headers.get("X-Who").value_or("?")) + "\n");
                co_await s.drain();
                s.close();
            };
            Headers h{{"Upgrade", "echo"}, {"Connection", "Upgrade"}};
            co_return Response::switching_protocols(std::move(h), protocol);
        };
        corio::Server server = co_await start(handler);
        Stream s = co_await corio::open_connection("127.0.0.1", server.port());
        s.write(
            "GET /room/7 HTTP/1.1\r\nHost: t\r\nX-Who: alice\r\nUpgrade: echo\r\n"
            "Connection: Upgrade\r\n\r\n");
        co_await corio::wait_for(s.read_until("\r\n\r\n"), 5s);
        std::string line = co_await corio::wait_for(s.read_until("\n"), 5s);
        REQUIRE(line == "/room/7 alice\n");
    }());
}
