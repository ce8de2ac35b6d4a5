// http::serve over loopback with corio streams as raw clients: keep-alive, pipelining, HTTP/1.0,
// Connection: close, HEAD, Expect: 100-continue, chunked bodies, handler errors, the response
// builders, and many clients at once.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "corio/corio.hpp"
#include "corio/http/server.hpp"
#include "http_support.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using corio::Coro;
using corio::Stream;
using corio::http::Request;
using corio::http::Response;
using corio_test::HttpReply;
using corio_test::read_reply;

namespace {

// Echoes what it saw: method, path, query, body size and body, and counts the requests.
struct Recorder {
    std::vector<std::string> seen;  // "METHOD target"
    std::vector<std::string> peers;

    corio::http::Handler handler() {
        return [this](Request& r) -> Coro<Response> {
            seen.push_back(r.method + " " + r.target);
            peers.push_back(r.peer);
            std::string body = std::string(r.method) + " " + std::string(r.path()) +
                               " q=" + std::string(r.query()) + " body=" + r.body;
            co_return Response::text(200, std::move(body));
        };
    }
};

// Sends raw on a new connection; the first reply and whatever follows it until the server
// closes (at most 5 s).
struct Closing {
    HttpReply reply;
    std::string rest;  // bytes after the reply: "" when the server closed right after it
};
Coro<Closing> send_then_eof(uint16_t port, std::string raw) {
    Stream s = co_await corio::open_connection("127.0.0.1", port);
    s.write(raw);
    std::string buf;
    Closing c;
    c.reply = co_await read_reply(s, buf);
    c.rest = buf + co_await corio_test::read_to_eof(s, 5s);
    co_return c;
}

Coro<corio::Server> start(corio::http::Handler h, corio::http::ServerOptions o = {}) {
    co_return co_await corio::http::serve(std::move(h), "127.0.0.1", 0, std::move(o));
}

}  // namespace

TEST_CASE("a GET gets status, Date, Content-Length and body, and the connection is reused",
          "[http_server]") {
    corio::run([]() -> Coro<void> {
        Recorder rec;
        corio::Server server = co_await start(rec.handler());
        Stream s = co_await corio::open_connection("127.0.0.1", server.port());
        std::string buf;
        s.write("GET /hello?x=1 HTTP/1.1\r\nHost: t\r\n\r\n");
        HttpReply a = co_await read_reply(s, buf);
        s.write("GET /again HTTP/1.1\r\nHost: t\r\n\r\n");
        HttpReply b = co_await read_reply(s, buf);
        REQUIRE(a.status == 200);
        REQUIRE(a.reason == "OK");
        REQUIRE(a.body == "GET /hello q=x=1 body=");
        REQUIRE(a.headers.get("Content-Length") == std::to_string(a.body.size()));
        REQUIRE(a.headers.get("Content-Type") == "text/plain");
        auto date = a.headers.get("Date");
        REQUIRE(date);
        REQUIRE(date->size() == 29);
        REQUIRE(date->substr(26) == "GMT");
        REQUIRE(a.keep_alive);
        REQUIRE_FALSE(a.headers.contains("Connection"));
        REQUIRE(b.body == "GET /again q= body=");
        REQUIRE(rec.peers.size() == 2);
        REQUIRE(rec.peers[0] == rec.peers[1]);
        REQUIRE(rec.peers[0] == s.local());
    }());
}

TEST_CASE("three pipelined requests in one write are answered in order", "[http_server]") {
    corio::run([]() -> Coro<void> {
        Recorder rec;
        corio::Server server = co_await start(rec.handler());
        Stream s = co_await corio::open_connection("127.0.0.1", server.port());
        s.write(
            "GET /1 HTTP/1.1\r\nHost: t\r\n\r\n"
            "POST /2 HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello"
            "POST /3 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
            "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
        // The three answers leave in one write, so one read on loopback gets them all.
        std::string buf = co_await corio::wait_for(s.read(), 5s);
        size_t answers = 0;
        for (size_t at = 0; (at = buf.find("HTTP/1.1 200 OK\r\n", at)) != std::string::npos; ++at) {
            ++answers;
        }
        HttpReply r1 = co_await read_reply(s, buf);
        HttpReply r2 = co_await read_reply(s, buf);
        HttpReply r3 = co_await read_reply(s, buf);
        REQUIRE(r1.body == "GET /1 q= body=");
        REQUIRE(r2.body == "POST /2 q= body=hello");
        REQUIRE(r3.body == "POST /3 q= body=abcde");
        REQUIRE(answers == 3);
        REQUIRE(buf.empty());
        REQUIRE(rec.seen == std::vector<std::string>{"GET /1", "POST /2", "POST /3"});
    }());
}

TEST_CASE("HTTP/1.0 closes after the answer unless it asked for keep-alive", "[http_server]") {
    corio::run([]() -> Coro<void> {
        Recorder rec;
        corio::Server server = co_await start(rec.handler());
        Closing plain = co_await send_then_eof(server.port(), "GET /old HTTP/1.0\r\n\r\n");
        REQUIRE(plain.reply.status == 200);
        REQUIRE(plain.reply.headers.get("Connection") == "close");
        REQUIRE(plain.rest.empty());

        Stream kept = co_await corio::open_connection("127.0.0.1", server.port());
        std::string buf2;
        kept.write("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        HttpReply k1 = co_await read_reply(kept, buf2);
        kept.write("GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        HttpReply k2 = co_await read_reply(kept, buf2);
        REQUIRE(k1.headers.get("Connection") == "keep-alive");
        REQUIRE(k2.body == "GET /b q= body=");
    }());
}

TEST_CASE("Connection: close is honoured from the client and from the handler", "[http_server]") {
    corio::run([]() -> Coro<void> {
        Recorder rec;
        corio::Server server = co_await start(rec.handler());
        // The request after the closing one is never answered.
        Closing c = co_await send_then_eof(
            server.port(),
            "GET /last HTTP/1.1\r\nConnection: close\r\n\r\nGET /never HTTP/1.1\r\n\r\n");
        REQUIRE(c.reply.headers.get("Connection") == "close");
        REQUIRE(c.rest.empty());
        REQUIRE(rec.seen == std::vector<std::string>{"GET /last"});

        auto closing = [](Request&) -> Coro<Response> {
            Response r = Response::text(200, "bye");
            r.headers.add("Connection", "close");
            co_return r;
        };
        corio::Server server2 = co_await start(closing);
        Closing c2 = co_await send_then_eof(server2.port(), "GET / HTTP/1.1\r\n\r\n");
        REQUIRE(c2.reply.body == "bye");
        REQUIRE(c2.reply.headers.get_all("Connection").size() == 1);
        REQUIRE(c2.reply.headers.get("Connection") == "close");
        REQUIRE(c2.rest.empty());
    }());
}

TEST_CASE("HEAD gets the headers GET would get and no body", "[http_server]") {
    corio::run([]() -> Coro<void> {
        Recorder rec;
        corio::Server server = co_await start(rec.handler());
        Stream s = co_await corio::open_connection("127.0.0.1", server.port());
        s.write("HEAD /page HTTP/1.1\r\n\r\nGET /page HTTP/1.1\r\n\r\n");
        std::string buf;
        HttpReply head = co_await read_reply(s, buf, true);
        HttpReply get = co_await read_reply(s, buf);
        REQUIRE(head.status == 200);
        REQUIRE(head.body.empty());
        REQUIRE(head.headers.get("Content-Length") == "19");
        REQUIRE(get.body == "GET /page q= body=");
        REQUIRE(get.headers.get("Content-Length") == "18");
    }());
}

TEST_CASE("Expect: 100-continue is answered with 100 before the body is sent", "[http_server]") {
    corio::run([]() -> Coro<void> {
        Recorder rec;
        corio::Server server = co_await start(rec.handler());
        Stream s = co_await corio::open_connection("127.0.0.1", server.port());
        std::string body(2000, 'b');
        s.write("POST /up HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2000\r\n\r\n");
        std::string interim = co_await corio::wait_for(s.read_until("\r\n\r\n"), 5s);
        s.write(body);
        std::string buf;
        HttpReply r = co_await read_reply(s, buf);
        REQUIRE(interim == "HTTP/1.1 100 Continue\r\n\r\n");
        REQUIRE(r.status == 200);
        REQUIRE(r.body == "POST /up q= body=" + body);
    }());
}

TEST_CASE("Expect: 100-continue with a body over the limit gets 413 and no 100", "[http_server]") {
    corio::run([]() -> Coro<void> {
        Recorder rec;
        corio::http::ServerOptions o;
        o.max_body_size = 1000;
        corio::Server server = co_await start(rec.handler(), o);
        Stream s = co_await corio::open_connection("127.0.0.1", server.port());
        s.write("POST /up HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2000\r\n\r\n");
        std::string all = co_await corio_test::read_to_eof(s, 5s);
        REQUIRE(all.rfind("HTTP/1.1 413 Content Too Large\r\n", 0) == 0);
        REQUIRE(all.find("100 Continue") == std::string::npos);
        REQUIRE(rec.seen.empty());
    }());
}

TEST_CASE("a handler that throws gets a 500, reported once, and the connection goes on",
          "[http_server]") {
    std::string err = corio_test::capture_stderr([] {
        corio::run([]() -> Coro<void> {
            auto handler = [](Request& r) -> Coro<Response> {
                if (r.path() == "/boom") throw std::runtime_error("kaboom");
                co_return Response::text(200, "fine");
            };
            corio::Server server = co_await start(handler);
            Stream s = co_await corio::open_connection("127.0.0.1", server.port());
            std::string buf;
            s.write("GET /boom HTTP/1.1\r\n\r\n");
            HttpReply a = co_await read_reply(s, buf);
            s.write("GET /ok HTTP/1.1\r\n\r\n");
            HttpReply b = co_await read_reply(s, buf);
            REQUIRE(a.status == 500);
            REQUIRE(a.body == "Internal Server Error\n");
            REQUIRE(b.status == 200);
            REQUIRE(b.body == "fine");
        }());
    });
    REQUIRE(err.find("kaboom") != std::string::npos);
    REQUIRE(err.find("GET /boom") != std::string::npos);
    REQUIRE(err.find("kaboom") == err.rfind("kaboom"));
}

TEST_CASE("a failing handler is reported through the loop's reporter", "[http_server]") {
    std::vector<std::string> seen;
    {
        corio::Loop loop;
        loop.set_reporter([&seen](std::string_view m) { seen.emplace_back(m); });
        loop.run_until_complete([]() -> Coro<void> {
            auto handler = [](Request&) -> Coro<Response> {
                throw std::runtime_error("kaboom");
                co_return Response::text(200, "never");
            };
            corio::Server server = co_await start(handler);
            HttpReply a =
                co_await corio_test::raw_exchange(server.port(), "GET /boom HTTP/1.1\r\n\r\n");
            REQUIRE(a.status == 500);
            server.close();
            co_await server.wait_closed();
        }());
    }
    size_t hits = 0;
    for (const auto& m : seen)
        if (m.find("kaboom") != std::string::npos && m.find("GET /boom") != std::string::npos)
            ++hits;
    REQUIRE(hits == 1);
}

TEST_CASE("a handler taking const Request& works, and the builders set what they say",
          "[http_server]") {
    corio::run([]() -> Coro<void> {
        auto handler = [](const Request& r) -> Coro<Response> {
            if (r.path() == "/moved") co_return Response::redirect(302, "/new");
            if (r.path() == "/html") co_return Response::text(201, "<p>", "text/html");
            co_return Response::not_found();
        };
        corio::Server server = co_await start(handler);
        HttpReply moved =
            co_await corio_test::raw_exchange(server.port(), "GET /moved HTTP/1.1\r\n\r\n");
        HttpReply html =
            co_await corio_test::raw_exchange(server.port(), "GET /html HTTP/1.1\r\n\r\n");
        HttpReply missing =
            co_await corio_test::raw_exchange(server.port(), "GET /nothing HTTP/1.1\r\n\r\n");
        REQUIRE(moved.status == 302);
        REQUIRE(moved.reason == "Found");
        REQUIRE(moved.headers.get("Location") == "/new");
        REQUIRE(html.status == 201);
        REQUIRE(html.headers.get("content-type") == "text/html");
        REQUIRE(html.body == "<p>");
        REQUIRE(missing.status == 404);
        REQUIRE(missing.reason == "Not Found");
    }());
    REQUIRE_THROWS_AS(Response::redirect(200, "/x"), std::invalid_argument);
    Response typed = Response::text(200, "x", "Text/HTML; charset=utf-8");
    REQUIRE(typed.content_type() == "text/html");
}

TEST_CASE("request accessors split origin-form and absolute-form targets", "[http_server]") {
    Request r;
    r.target = "/a/b?x=1&y=2#frag";
    REQUIRE(r.path() == "/a/b");
    REQUIRE(r.query() == "x=1&y=2");
    r.target = "http://example.com:8080/p?q";
    REQUIRE(r.path() == "/p");
    REQUIRE(r.query() == "q");
    r.target = "http://example.com";
    REQUIRE(r.path() == "/");
    REQUIRE_FALSE(r.wants_upgrade());
    r.headers.add("Upgrade", "websocket");
    r.headers.add("Connection", "keep-alive, Upgrade");
    REQUIRE(r.wants_upgrade());
}

TEST_CASE("200 clients at once, five requests each, all answered", "[http_server]") {
    corio::run([]() -> Coro<void> {
        auto handler = [](Request& r) -> Coro<Response> {
            co_await corio::sleep(1ms);
            co_return Response::text(200, std::string(r.path()));
        };
        corio::Server server = co_await start(handler);
        uint16_t port = server.port();
        auto client = [](uint16_t port, int id) -> Coro<int> {
            Stream s = co_await corio::open_connection("127.0.0.1", port);
            std::string buf;
            int ok = 0;
            for (int i = 0; i < 5; ++i) {
                std::string path = "/" + std::to_string(id) + "/" + std::to_string(i);
                s.write("GET " + path + " HTTP/1.1\r\n\r\n");
                HttpReply r = co_await read_reply(s, buf);
                if (r.status == 200 && r.body == path) ++ok;
            }
            co_return ok;
        };
        std::vector<corio::Task<int>> tasks;
        for (int i = 0; i < 200; ++i) tasks.push_back(corio::create_task(client(port, i)));
        std::vector<int> oks = co_await corio::wait_for(corio::gather(std::move(tasks)), 30s);
        int total = 0;
        for (int k : oks) total += k;
        REQUIRE(total == 1000);
    }());
}

TEST_CASE("a request arriving one byte per read is parsed whole", "[http_server]") {
    corio::run([]() -> Coro<void> {
        auto handler = [](Request& r) -> Coro<Response> {
            co_return Response::text(
                200, std::string(r.headers.get("X-Split").value_or("?")) + "|" + r.body);
        };
        corio::Server server = co_await start(handler);
        Stream s = co_await corio::open_connection("127.0.0.1", server.port());
        std::string req =
            "POST /split HTTP/1.1\r\nX-Split: a value in pieces\r\nContent-Length: 4\r\n\r\nbody";
        for (char c : req) {
            s.write(std::string(1, c));
            co_await corio::sleep(1ms);
        }
        std::string buf;
        HttpReply r = co_await read_reply(s, buf);
        REQUIRE(r.body == "a value in pieces|body");
    }());
}
