// http::serve's limits and timeouts, each answered with its status and then a close: 414, 431,
// 413, 400, 408 for slow headers and slow bodies, quiet closes of idle connections, and the
// connection limit. Timeouts are short real ones (200 ms), bounded by generous waits.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "corio/corio.hpp"
#include "corio/http/server.hpp"
#include "http_support.hpp"
#include "net_support.hpp"

using namespace std::chrono_literals;
using corio::Coro;
using corio::Stream;
using corio::http::Request;
using corio::http::Response;
using corio_test::HttpReply;
using corio_test::read_reply;

namespace {

Coro<Response> hello(Request& r) { co_return Response::text(200, "hello " + r.body); }

Coro<corio::Server> start(corio::http::ServerOptions o) {
    co_return co_await corio::http::serve(hello, "127.0.0.1", 0, std::move(o));
}

struct Refusal {
    int status = 0;
    std::string connection;  // the reply's Connection header
    bool closed = false;     // the server closed right after the reply
};

// Sends raw and expects one reply followed by the server closing the connection.
Coro<Refusal> refused(uint16_t port, std::string raw) {
    Stream s = co_await corio::open_connection("127.0.0.1", port);
    s.write(raw);
    std::string buf;
    HttpReply r = co_await read_reply(s, buf);
    std::string rest = co_await corio_test::read_to_eof(s, 5s);
    co_return Refusal{r.status, std::string(r.headers.get("Connection").value_or("")),
                      buf.empty() && rest.empty() && s.at_eof()};
}

corio::http::ServerOptions small_limits() {
    corio::http::ServerOptions o;
    o.max_line_bytes = 1024;
    o.max_header_bytes = 2048;
    o.max_header_count = 20;
    o.max_body_size = 1000;
    return o;
}

}  // namespace

TEST_CASE("each limit is answered with its status, then the connection closes",
          "[http_server_limits]") {
    corio::run([]() -> Coro<void> {
        corio::Server server = co_await start(small_limits());
        uint16_t port = server.port();
        struct Case {
            std::string raw;
            int status;
        };
        std::string many_fields;
        for (int i = 0; i < 21; ++i) many_fields += "X-F" + std::to_string(i) + ": v\r\n";
        std::vector<Case> cases = {
            {"GET /" + std::string(1100, 'u') + " HTTP/1.1\r\n\r\n", 414},
            {"GET / HTTP/1.1\r\nX-Big: " + std::string(3000, 'h') + "\r\n\r\n", 431},
            {"GET / HTTP/1.1\r\n" + many_fields + "\r\n", 431},
            {"POST / HTTP/1.1\r\nContent-Length: 1001\r\n\r\n", 413},
            {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3e8\r\n" +
                 std::string(1000, 'b') + "\r\n1\r\nx\r\n0\r\n\r\n",
             413},
            {"GARBAGE\r\n\r\n", 400},
            {"GET / HTTP/1.1\r\nContent-Length : 2\r\n\r\nab", 400},
            {"POST / HTTP/1.1\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
            {"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 400},
            {"GET / HTTP/1.1\nHost: x\n\n", 400},
            {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\n", 400},
        };
        for (const Case& c : cases) {
            Refusal r = co_await refused(port, c.raw);
            INFO(c.raw.substr(0, 60));
            REQUIRE(r.status == c.status);
            REQUIRE(r.connection == "close");
            REQUIRE(r.closed);
        }
        // Right at the limits, all is well.
        HttpReply ok = co_await corio_test::raw_exchange(
            port, "POST /" + std::string(1000, 'u') + " HTTP/1.1\r\nContent-Length: 1000\r\n\r\n" +
                      std::string(1000, 'b'));
        REQUIRE(ok.status == 200);
        REQUIRE(ok.body == "hello " + std::string(1000, 'b'));
    }());
}

TEST_CASE("headers trickling in slower than header_timeout get 408 then a close (slow loris)",
          "[http_server_limits]") {
    corio::run([]() -> Coro<void> {
        corio::http::ServerOptions o;
        o.header_timeout = 200ms;
        corio::Server server = co_await start(o);
        Stream s = co_await corio::open_connection("127.0.0.1", server.port());
        auto trickle = [](Stream& s) -> Coro<void> {
            s.write("GET / HTTP/1.1\r\nX-Slow: ");
            for (int i = 0; i < 40; ++i) {  // 2 s at most: far beyond the timeout
                co_await corio::sleep(50ms);
                try {
                    s.write("a");
                } catch (const corio::ConnectionError&) {
                    co_return;
                }
            }
        };
        auto sender = corio::create_task(trickle(s));
        std::string buf;
        HttpReply r = co_await read_reply(s, buf, false, 5s);
        std::string rest = co_await corio_test::read_to_eof(s, 5s);
        sender.cancel();
        co_await corio_test::throws_as<corio::CancelledError>(sender);
        REQUIRE(r.status == 408);
        REQUIRE(r.headers.get("Connection") == "close");
        REQUIRE(rest.empty());
    }());
}

TEST_CASE("a body slower than body_timeout gets 408", "[http_server_limits]") {
    corio::run([]() -> Coro<void> {
        corio::http::ServerOptions o;
        o.body_timeout = 200ms;
        corio::Server server = co_await start(o);
        Stream s = co_await corio::open_connection("127.0.0.1", server.port());
        s.write("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");
        std::string buf;
        HttpReply r = co_await read_reply(s, buf, false, 5s);
        REQUIRE(r.status == 408);
    }());
}

TEST_CASE("a connection that sends nothing is closed quietly after header_timeout",
          "[http_server_limits]") {
    corio::run([]() -> Coro<void> {
        corio::http::ServerOptions o;
        o.header_timeout = 200ms;
        corio::Server server = co_await start(o);
        Stream s = co_await corio::open_connection("127.0.0.1", server.port());
        std::string got = co_await corio_test::read_to_eof(s, 5s);
        REQUIRE(got.empty());
        REQUIRE(s.at_eof());
    }());
}

TEST_CASE("an idle kept-alive connection is closed quietly; an active one is kept",
          "[http_server_limits]") {
    corio::run([]() -> Coro<void> {
        corio::http::ServerOptions o;
        o.keep_alive_timeout = 200ms;
        corio::Server server = co_await start(o);
        Stream active = co_await corio::open_connection("127.0.0.1", server.port());
        std::string buf;
        int answered = 0;
        for (int i = 0; i < 5; ++i) {  // 500 ms in all, 100 ms apart
            active.write("GET / HTTP/1.1\r\n\r\n");
            HttpReply r = co_await read_reply(active, buf);
            if (r.status == 200) ++answered;
            co_await corio::sleep(100ms);
        }
        REQUIRE(answered == 5);
        // Now idle: the server closes without a word.
        std::string after = co_await corio_test::read_to_eof(active, 5s);
        REQUIRE(after.empty());
        REQUIRE(active.at_eof());
    }());
}

TEST_CASE("max_connections holds further connections back until one ends", "[http_server_limits]") {
    corio::run([]() -> Coro<void> {
        corio::http::ServerOptions o;
        o.max_connections = 2;
        corio::Server server = co_await start(o);
        uint16_t port = server.port();
        Stream a = co_await corio::open_connection("127.0.0.1", port);
        Stream b = co_await corio::open_connection("127.0.0.1", port);
        std::string ba, bb, bc;
        a.write("GET / HTTP/1.1\r\n\r\n");
        b.write("GET / HTTP/1.1\r\n\r\n");
        HttpReply ra = co_await read_reply(a, ba);
        HttpReply rb = co_await read_reply(b, bb);
        Stream c = co_await corio::open_connection("127.0.0.1", port);
        c.write("GET /third HTTP/1.1\r\n\r\n");
        bool held =
            co_await corio_test::throws_as<corio::TimeoutError>(read_reply(c, bc, false, 300ms));
        REQUIRE(server.active_connections() == 2);
        a.close();
        HttpReply rc = co_await read_reply(c, bc, false, 5s);
        REQUIRE(ra.status == 200);
        REQUIRE(rb.status == 200);
        REQUIRE(held);
        REQUIRE(rc.status == 200);
    }());
}

TEST_CASE("a client that reads nothing is dropped after send_timeout", "[http_server_limits]") {
    corio::run([]() -> Coro<void> {
        auto huge = [](Request&) -> Coro<Response> {
            // More than loopback's socket buffers on both sides can absorb.
            co_return Response::text(200, std::string(64 << 20, 'x'));
        };
        corio::http::ServerOptions o;
        o.send_timeout = 200ms;
        corio::Server server = co_await corio::http::serve(huge, "127.0.0.1", 0, o);
        Stream s = co_await corio::open_connection("127.0.0.1", server.port());
        s.write("GET / HTTP/1.1\r\n\r\n");
        co_await corio::sleep(100ms);
        REQUIRE(server.active_connections() == 1);
        for (int i = 0; i < 100 && server.active_connections() > 0; ++i) {
            co_await corio::sleep(50ms);
        }
        REQUIRE(server.active_connections() == 0);
    }());
}
