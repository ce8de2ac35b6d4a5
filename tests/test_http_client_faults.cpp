// ClientSession against misbehaving servers written here with corio::start_server: broken
// messages, limits, timeouts and network failures, each ending in its documented error. Every
// request is bounded by wait_for, and the servers' handlers end when the client goes away.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "corio/corio.hpp"
#include "corio/http/client.hpp"
#include "http_client_fixture.hpp"
#include "support.hpp"
#include "tls_server_support.hpp"

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

TEST_CASE("a body cut short by the server is a ProtocolError, never a short body",
          "[http][client][faults]") {
    Fixture f;
    f.run(
        [](Stream s) -> Coro<void> {
            co_await read_request(s);
            s.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + std::string(50, 'x'));
            co_await s.drain();
        },
        [](std::string base) -> Coro<void> {
            ClientSession session;
            std::string e = co_await error_of<corio::http::ProtocolError>(session.get(base + "/"));
            INFO(e);
            CHECK(starts(e, "E: truncated response"));
            CHECK(e.find("body") != std::string::npos);
        });
}

TEST_CASE("a garbage status line is a ProtocolError", "[http][client][faults]") {
    Fixture f;
    f.run(answer([](const auto&) { return std::string("HELLO WORLD\r\n\r\n"); }),
          [](std::string base) -> Coro<void> {
              ClientSession session;
              std::string e =
                  co_await error_of<corio::http::ProtocolError>(session.get(base + "/"));
              CHECK(starts(e, "E: malformed response"));
          });
}

TEST_CASE("a 1 MiB header is refused as too large without buffering it", "[http][client][faults]") {
    Fixture f;
    f.run(answer([](const auto&) {
              return "HTTP/1.1 200 OK\r\nX-Big: " + std::string(1 << 20, 'a') +
                     "\r\nContent-Length: 0\r\n\r\n";
          }),
          [](std::string base) -> Coro<void> {
              ClientSession session;
              std::string e = co_await error_of<corio::http::BodyTooLarge>(session.get(base + "/"));
              CHECK(starts(e, "E: response header block too large"));
          });
}

TEST_CASE("an endless chunked body stops at max_body_size", "[http][client][faults]") {
    Fixture f;
    f.run(
        [](Stream s) -> Coro<void> {
            co_await read_request(s);
            s.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
            std::string chunk = "1000\r\n" + std::string(4096, 'z') + "\r\n";
            for (;;) {  // until the client hangs up (ConnectionError, caught by the fixture)
                s.write(chunk);
                co_await s.drain();
            }
        },
        [](std::string base) -> Coro<void> {
            ClientSession session(ClientOptions{.max_body_size = 1 << 20});
            std::string e = co_await error_of<corio::http::BodyTooLarge>(session.get(base + "/"));
            CHECK(starts(e, "E: "));
            CHECK(e.find("max_body_size") != std::string::npos);
        });
}

TEST_CASE("a body slower than the read timeout is a TimeoutError naming the read",
          "[http][client][faults]") {
    Fixture f;
    f.run(
        [](Stream s) -> Coro<void> {
            co_await read_request(s);
            s.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabcde");
            co_await s.drain();
            co_await s.read();  // until the client gives up
        },
        [](std::string base) -> Coro<void> {
            ClientSession session(ClientOptions{.timeout = {.read = 200ms}});
            std::string e = co_await error_of<corio::TimeoutError>(session.get(base + "/slow"));
            CHECK(starts(e, "E: read timeout"));
        });
}

TEST_CASE("the total timeout bounds a request that never gets an answer",
          "[http][client][faults]") {
    Fixture f;
    f.run(
        [](Stream s) -> Coro<void> {
            co_await read_request(s);
            co_await s.read();
        },
        [](std::string base) -> Coro<void> {
            ClientSession session(ClientOptions{.timeout = {.total = 300ms, .read = 0s}});
            std::string e = co_await error_of<corio::TimeoutError>(session.get(base + "/"));
            CHECK(starts(e, "E: total timeout"));
        });
}

TEST_CASE("a connect that cannot complete is a TimeoutError naming the connect",
          "[http][client][faults]") {
    corio_test::StalledListener stalled;
    corio::run([&]() -> Coro<void> {
        ClientSession session(ClientOptions{.timeout = {.connect = 200ms}});
        std::string url = "http://127.0.0.1:" + std::to_string(stalled.port) + "/";
        std::string e = co_await error_of<corio::TimeoutError>(session.get(url));
        CHECK(starts(e, "E: connect timeout"));
    }());
}

TEST_CASE("network failures keep the TCP layer's error types", "[http][client][faults]") {
    uint16_t port = corio_test::free_port();
    corio::run([&]() -> Coro<void> {
        ClientSession session;
        std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";
        std::string e = co_await error_of<corio::ConnectionRefusedError>(session.get(url));
        CHECK(starts(e, "E: "));
        std::string bad = co_await error_of<corio::http::UrlError>(session.get("not a url"));
        CHECK(starts(bad, "E: "));
    }());
}

TEST_CASE("https dials TLS when it is built in, else says it is not", "[http][client][faults]") {
    // tests/test_tls_http_client*.cpp cover https itself; here: the same call in both builds.
    corio::run([&]() -> Coro<void> {
        ClientSession session;
        if (corio_test::tls_built_in()) {
            std::string e = co_await error_of<corio::ConnectionRefusedError>(
                session.get("https://127.0.0.1:1/x"));
            CHECK(e.find("127.0.0.1:1") != std::string::npos);
        } else {
            std::string e = co_await error_of<corio::http::TlsUnavailable>(
                session.get("https://127.0.0.1:1/x"));
            CHECK(e == "E: TLS is not built in: cannot fetch https://127.0.0.1:1/x");
        }
    }());
}

TEST_CASE("a reset in the middle of a body is a ConnectionResetError", "[http][client][faults]") {
    Fixture f;
    f.run(
        [](Stream s) -> Coro<void> {
            co_await read_request(s);
            s.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + std::string(10, 'x'));
            co_await s.drain();
            co_await corio::sleep(50ms);
            s.abort();
        },
        [](std::string base) -> Coro<void> {
            ClientSession session;
            std::string e = co_await error_of<corio::ConnectionResetError>(session.get(base + "/"));
            CHECK(starts(e, "E: "));
        });
}
