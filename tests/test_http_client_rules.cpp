// ClientSession's rules against servers scripted here: keep-alive and its retries, 1xx, body
// framings, redirect method rules, gzip bodies, cancellation, idle expiry, bad input.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "corio/corio.hpp"
#include "corio/http/client.hpp"
#include "http_client_fixture.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using corio::Coro;
using corio::Stream;
using corio::http::ClientOptions;
using corio::http::ClientSession;
using corio::http::Response;
using corio_test::answer;
using corio_test::error_of;
using corio_test::Fixture;
using corio_test::ok;
using corio_test::read_request;
using corio_test::starts;

TEST_CASE("Connection: close after every response costs a connection each, nothing more",
          "[http][client][faults]") {
    Fixture f;
    f.run(
        [](Stream s) -> Coro<void> {
            auto req = co_await read_request(s);
            s.write(ok(req->target(), "Connection: close\r\n"));
            co_await s.drain();
        },
        [&](std::string base) -> Coro<void> {
            ClientSession session;
            for (int i = 0; i < 5; ++i) {
                std::string path = "/" + std::to_string(i);
                Response r = co_await session.get(base + path);
                CHECK(r.body == path);
            }
            CHECK(session.connections_opened() == 5);
        });
    CHECK(f.accepts == 5);
}

TEST_CASE("a kept-alive connection the server closed is retried once for GET, not for POST",
          "[http][client][faults]") {
    // The server answers one request per connection with keep-alive, then closes it when idle.
    auto one_then_close = [](Stream s) -> Coro<void> {
        auto req = co_await read_request(s);
        if (!req) co_return;
        s.write(ok("answer to " + req->method()));
        co_await s.drain();
        co_await corio::sleep(20ms);
    };
    Fixture f;
    f.run(one_then_close, [&](std::string base) -> Coro<void> {
        ClientSession session;
        Response a = co_await session.get(base + "/a");
        co_await corio::sleep(100ms);  // the server has closed the idle connection by now
        Response b = co_await corio::wait_for(session.get(base + "/b"), 5s);
        CHECK(b.body == "answer to GET");
        CHECK(session.connections_opened() == 2);
        co_await corio::sleep(100ms);
        std::string e = co_await error_of<corio::ConnectionError>(session.post(base + "/p", "x"));
        CHECK(starts(e, "E: "));
        CHECK(session.connections_opened() == 2);  // not sent again on a fresh connection
        Response c = co_await corio::wait_for(session.post(base + "/p", "x"), 5s);
        CHECK(c.body == "answer to POST");
    });
    CHECK(f.accepts == 3);
}

TEST_CASE("100 Continue before the answer is skipped", "[http][client][faults]") {
    Fixture f;
    f.run(
        [](Stream s) -> Coro<void> {
            while (auto req = co_await read_request(s)) {
                s.write("HTTP/1.1 100 Continue\r\n\r\n");
                co_await s.drain();
                co_await corio::sleep(10ms);
                s.write("HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n" + ok("done"));
                co_await s.drain();
            }
        },
        [](std::string base) -> Coro<void> {
            ClientSession session;
            for (int i = 0; i < 2; ++i) {
                Response r = co_await session.post(base + "/", "data");
                CHECK(r.status == 200);
                CHECK(r.body == "done");
                CHECK_FALSE(r.headers.contains("Link"));
            }
            CHECK(session.connections_opened() == 1);
        });
}

TEST_CASE("chunked (with trailers), close-delimited and bodiless answers read right",
          "[http][client][faults]") {
    Fixture f;
    f.run(answer([](const corio_test::RawRequest& req) -> std::string {
              std::string t = req.target();
              if (t == "/chunked") {
                  return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "5\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n";
              }
              if (t == "/204") return "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n";
              if (t == "/304") return "HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n";
              return "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end";
          }),
          [](std::string base) -> Coro<void> {
              ClientSession session;
              Response c = co_await session.get(base + "/chunked");
              CHECK(c.body == "hello, world");
              CHECK_FALSE(c.headers.contains("X-Trailer"));
              Response n = co_await session.get(base + "/204");
              CHECK(n.status == 204);
              CHECK(n.body.empty());
              Response m = co_await session.get(base + "/304");
              CHECK(m.status == 304);
              CHECK(session.connections_opened() == 1);  // all three on one connection
              Response e = co_await session.get(base + "/eof");
              CHECK(e.body == "until the end");
          });
}

TEST_CASE("redirects follow the method rules and resolve relative locations",
          "[http][client][faults]") {
    std::vector<std::string> seen;  // "METHOD target body"
    Fixture f;
    f.run(answer([&](const corio_test::RawRequest& req) -> std::string {
              std::string t = req.target();
              seen.push_back(req.method() + " " + t + " " + req.body);
              auto to = [](int status, const std::string& where) {
                  return "HTTP/1.1 " + std::to_string(status) + " X\r\nLocation: " + where +
                         "\r\nContent-Length: 0\r\n\r\n";
              };
              if (t == "/303") return to(303, "/done");
              if (t == "/301") return to(301, "/done");
              if (t == "/307") return to(307, "/done");
              if (t == "/308") return to(308, "done");  // relative: /done
              if (t == "/dir/a") return to(302, "../dir/b?q=1");
              if (t == "/a") return to(302, "/b");
              if (t == "/b") return to(302, "/a");
              if (t.rfind("/hop", 0) == 0) return to(302, t + "x");
              return ok(req.method() + " " + req.body);
          }),
          [&](std::string base) -> Coro<void> {
              ClientSession session;
              Response r303 = co_await session.post(base + "/303", "payload");
              CHECK(r303.body == "GET ");
              Response r301 = co_await session.post(base + "/301", "payload");
              CHECK(r301.body == "GET ");
              Response r307 = co_await session.post(base + "/307", "payload");
              CHECK(r307.body == "POST payload");
              Response r308 = co_await session.post(base + "/308", "payload");
              CHECK(r308.body == "POST payload");
              CHECK(r308.url.path() == "/done");
              Response rel = co_await session.get(base + "/dir/a");
              CHECK(rel.url.str() == base + "/dir/b?q=1");
              REQUIRE(rel.history.size() == 1);
              CHECK(rel.history[0].str() == base + "/dir/a");
              std::string loop =
                  co_await error_of<corio::http::TooManyRedirects>(session.get(base + "/a"));
              CHECK(starts(loop, "E: redirect loop"));
              std::string many =
                  co_await error_of<corio::http::TooManyRedirects>(session.get(base + "/hop"));
              INFO(many);
              CHECK(starts(many, "E: too many redirects"));
          });
    CHECK(std::find(seen.begin(), seen.end(), "GET /done ") != seen.end());
    CHECK(std::find(seen.begin(), seen.end(), "POST /done payload") != seen.end());
}

TEST_CASE("gzip bodies: empty, multi-member, and a bomb stopped early with bounded memory",
          "[http][client][faults]") {
    std::string bomb = corio_test::gzip_zeros(size_t(1) << 30);
    std::string multi = corio_test::compress("one ", 31) + corio_test::compress("two", 31);
    Fixture f;
    f.run(answer([&](const corio_test::RawRequest& req) -> std::string {
              std::string t = req.target();
              std::string gz = "Content-Encoding: gzip\r\n";
              if (t == "/empty") return ok("", gz);
              if (t == "/empty-member") return ok(corio_test::compress("", 31), gz);
              if (t == "/multi") return ok(multi, gz);
              return ok(bomb, gz);
          }),
          [&](std::string base) -> Coro<void> {
              ClientSession session(ClientOptions{.max_body_size = 8 << 20});
              Response e = co_await session.get(base + "/empty");
              CHECK(e.body.empty());
              Response em = co_await session.get(base + "/empty-member");
              CHECK(em.body.empty());
              Response m = co_await session.get(base + "/multi");
              CHECK(m.body == "one two");
              long rss_before = corio_test::rss_kib();
              std::string b =
                  co_await error_of<corio::http::BodyTooLarge>(session.get(base + "/bomb"));
              CHECK(starts(b, "E: response body over"));
              // 8 MiB of body at most (a string may double once), not 1 GiB.
              CHECK(corio_test::rss_kib() - rss_before < 40 * 1024);
          });
}

TEST_CASE("a request cancelled mid-response closes its connection; the session goes on",
          "[http][client][faults]") {
    bool stalled_closed = false;
    Fixture f;
    f.run(
        [&](Stream s) -> Coro<void> {
            while (auto req = co_await read_request(s)) {
                if (req->target() == "/stall") {
                    s.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhalf");
                    co_await s.drain();
                    std::string more = co_await s.read();  // "" once the client closed
                    stalled_closed = more.empty();
                    co_return;
                }
                s.write(ok("fine"));
                co_await s.drain();
            }
        },
        [&](std::string base) -> Coro<void> {
            ClientSession session;
            Response warm = co_await session.get(base + "/warm");
            auto task = corio::create_task(session.get(base + "/stall"));
            co_await corio::sleep(100ms);
            task.cancel();
            std::string outcome = co_await corio_test::outcome(task);
            CHECK(outcome == "cancelled");
            for (int i = 0; i < 50 && !stalled_closed; ++i) co_await corio::sleep(10ms);
            CHECK(stalled_closed);
            Response r = co_await corio::wait_for(session.get(base + "/after"), 5s);
            CHECK(r.body == "fine");
            CHECK(session.connections_opened() == 2);
        });
}

TEST_CASE("a closed session refuses requests", "[http][client][faults]") {
    corio::run([&]() -> Coro<void> {
        ClientSession session;
        co_await session.close();
        CHECK(session.closed());
        std::string e =
            co_await error_of<corio::http::HttpError>(session.get("http://127.0.0.1:1/"));
        CHECK(e == "E: the client session is closed");
    }());
}

TEST_CASE("a header or method that would split the request is refused before sending",
          "[http][client][faults]") {
    Fixture f;
    f.run(answer([](const auto&) { return ok("never"); }), [](std::string base) -> Coro<void> {
        ClientSession session;
        corio::http::Headers evil{{"X-A", "1\r\nX-Injected: 2"}};
        std::string e =
            co_await error_of<corio::http::HttpError>(session.request("GET", base + "/", evil));
        CHECK(starts(e, "E: invalid request header field \"X-A\""));
        std::string m = co_await error_of<corio::http::HttpError>(
            session.request("GET / HTTP/1.1\r\n", base + "/"));
        CHECK(starts(m, "E: invalid request method"));
        Response r = co_await session.get(base + "/");  // the session still works
        CHECK(r.body == "never");
    });
    CHECK(f.accepts == 1);
}

TEST_CASE("an idle connection is closed by the client after keepalive_timeout",
          "[http][client][faults]") {
    bool closed_by_client = false;
    Fixture f;
    f.run(
        [&](Stream s) -> Coro<void> {
            while (auto req = co_await read_request(s)) {
                s.write(ok("kept"));
                co_await s.drain();
            }
            closed_by_client = true;  // end of stream: the client let the connection go
        },
        [&](std::string base) -> Coro<void> {
            ClientSession session(ClientOptions{.keepalive_timeout = 1s});
            Response r = co_await session.get(base + "/");
            CHECK(r.body == "kept");
            co_await corio::sleep(50ms);
            CHECK_FALSE(closed_by_client);  // kept while younger than keepalive_timeout
            for (int i = 0; i < 300 && !closed_by_client; ++i) co_await corio::sleep(10ms);
            CHECK(closed_by_client);
            Response again = co_await session.get(base + "/");  // on a new connection
            CHECK(again.body == "kept");
            CHECK(session.connections_opened() == 2);
        });
}
