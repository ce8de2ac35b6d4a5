// ws::serve and ws::connect together, and ws::serve's HTTP side seen from raw sockets: bad
// handshakes get proper HTTP answers, a plain GET gets a page, h2c is answered as HTTP, the
// extension offer is not echoed, bytes sent with the handshake are not lost, paths and
// subprotocols are chosen, max_connections holds.
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <thread>

#include "corio/corio.hpp"
#include "corio/http/errors.hpp"
#include "corio/ws/client.hpp"
#include "corio/ws/handshake.hpp"
#include "corio/ws/server.hpp"
#include "net_support.hpp"
#include "tls_server_support.hpp"
#include "ws_support.hpp"

using namespace std::chrono_literals;
using corio::Coro;
namespace ws = corio::ws;

namespace {

ws::ServerOptions test_options() {
    ws::ServerOptions o;
    o.ping_interval = 0ms;
    o.close_timeout = 2s;
    return o;
}

// Sends a raw request and returns everything the server answers until it closes or goes quiet.
std::string raw_exchange(uint16_t port, const std::string& request) {
    int fd = corio_test::raw_connect(port);
    corio_test::raw_send_all(fd, request);
    std::string got;
    for (;;) {
        std::string more = corio_test::raw_recv_exactly(fd, 1, 2s);
        if (more.empty()) break;
        got += more;
        if (got.find("\r\n\r\n") != std::string::npos) {
            // Read the body by its length.
            auto cl = got.find("Content-Length: ");
            size_t head_end = got.find("\r\n\r\n") + 4;
            size_t len = cl == std::string::npos ? 0 : std::stoul(got.substr(cl + 16));
            got += corio_test::raw_recv_exactly(fd, head_end + len - got.size(), 2s);
            break;
        }
    }
    close(fd);
    return got;
}

std::string upgrade_request(const std::string& extra, const std::string& path = "/") {
    return "GET " + path +
           " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + extra +
           "\r\n";
}

const std::string kKey = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
const std::string kV13 = "Sec-WebSocket-Version: 13\r\n";

template <class F>
Coro<std::string> off_loop(F f) {
    co_return co_await corio::to_thread(std::move(f));
}

}  // namespace

TEST_CASE("ws::connect and ws::serve exchange messages and close", "[ws][server]") {
    corio::run([]() -> Coro<void> {
        corio::Server server =
            co_await ws::serve(corio_test::ws_echo, "127.0.0.1", 0, test_options());
        std::string url = "ws://127.0.0.1:" + std::to_string(server.port()) + "/echo?x=1";
        ws::Connection c = co_await ws::connect(url);
        REQUIRE(c.path() == "/echo?x=1");
        co_await c.send("hello");
        co_await c.send_binary(std::string("\0\1\2", 3));
        auto m1 = co_await corio::wait_for(c.recv(), 5s);
        auto m2 = co_await corio::wait_for(c.recv(), 5s);
        REQUIRE((m1 && m1->is_text() && m1->text() == "hello"));
        REQUIRE((m2 && m2->is_binary() && m2->data() == std::string("\0\1\2", 3)));
        co_await corio::wait_for(c.close(1000, "bye"), 5s);
        REQUIRE(c.close_code() == 1000);
        server.close();
        co_await corio::wait_for(server.wait_closed(), 5s);
    }());
}

TEST_CASE("a handler that returns closes with 1000, one that throws with 1011", "[ws][server]") {
    corio::run([]() -> Coro<void> {
        auto handler = [](ws::Connection& c) -> Coro<void> {
            auto m = co_await c.recv();
            if (m && m->text() == "throw") throw std::runtime_error("handler failure (expected)");
        };
        corio::Server server = co_await ws::serve(handler, "127.0.0.1", 0, test_options());
        std::string url = "ws://127.0.0.1:" + std::to_string(server.port()) + "/";
        ws::Connection a = co_await ws::connect(url);
        co_await a.send("return");
        auto end_a = co_await corio::wait_for(a.recv(), 5s);
        REQUIRE_FALSE(end_a.has_value());
        REQUIRE(a.close_code() == 1000);
        ws::Connection b = co_await ws::connect(url);
        co_await b.send("throw");
        auto end_b = co_await corio::wait_for(b.recv(), 5s);
        REQUIRE_FALSE(end_b.has_value());
        REQUIRE(b.close_code() == 1011);
    }());
}

TEST_CASE("ws::connect reports refusals, wrong answers and wss:// clearly", "[ws][server]") {
    corio::run([]() -> Coro<void> {
        auto o = test_options();
        o.paths = {"/chat"};
        corio::Server server = co_await ws::serve(corio_test::ws_echo, "127.0.0.1", 0, o);
        std::string base = "ws://127.0.0.1:" + std::to_string(server.port());
        int status = 0;
        try {
            co_await ws::connect(base + "/other");
        } catch (const ws::InvalidHandshake& e) {
            status = e.status;
        }
        REQUIRE(status == 404);
        ws::Connection ok = co_await ws::connect(base + "/chat");
        REQUIRE(ok.is_open());

        // wss:// dials TLS when it is built in (tests/test_tls_ws.cpp covers it), else says so.
        std::string tls_message;
        try {
            co_await ws::connect("wss://127.0.0.1:1/");
        } catch (const corio::http::TlsUnavailable& e) {
            tls_message = e.what();
        } catch (const corio::ConnectionRefusedError& e) {
            tls_message = e.what();
        }
        REQUIRE_THAT(tls_message, Catch::Contains(corio_test::tls_built_in()
                                                      ? "127.0.0.1:1"
                                                      : "TLS is not built in (corio was built "
                                                        "with TLS=0)"));
        bool bad_url = co_await corio_test::throws_as<corio::http::UrlError>(
            ws::connect("http://127.0.0.1:1/"));
        REQUIRE(bad_url);

        // A server that answers 200 to everything, and one whose accept key is wrong.
        auto liar = [](corio::Stream s) -> Coro<void> {
            co_await s.read_until("\r\n\r\n");
            s.write(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
                "Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
            co_await s.drain();
        };
        corio::Server fake = co_await corio::start_server(liar, "127.0.0.1", 0);
        std::string why;
        try {
            co_await ws::connect("ws://127.0.0.1:" + std::to_string(fake.port()) + "/");
        } catch (const ws::InvalidHandshake& e) {
            why = e.what();
        }
        REQUIRE_THAT(why, Catch::Contains("Sec-WebSocket-Accept"));
    }());
}

TEST_CASE("bad handshakes get 400, another version 426 with the version header", "[ws][server]") {
    corio::run([]() -> Coro<void> {
        corio::Server server =
            co_await ws::serve(corio_test::ws_echo, "127.0.0.1", 0, test_options());
        uint16_t port = server.port();
        std::string no_key =
            co_await off_loop([port] { return raw_exchange(port, upgrade_request(kV13)); });
        REQUIRE(no_key.rfind("HTTP/1.1 400", 0) == 0);
        std::string bad_key = co_await off_loop([port] {
            return raw_exchange(port, upgrade_request(kV13 + "Sec-WebSocket-Key: c2hvcnQ=\r\n"));
        });
        REQUIRE(bad_key.rfind("HTTP/1.1 400", 0) == 0);
        std::string v8 = co_await off_loop([port] {
            return raw_exchange(port, upgrade_request(kKey + "Sec-WebSocket-Version: 8\r\n"));
        });
        REQUIRE(v8.rfind("HTTP/1.1 426", 0) == 0);
        REQUIRE_THAT(v8, Catch::Contains("Sec-WebSocket-Version: 13"));
        std::string post = co_await off_loop([port] {
            return raw_exchange(port,
                                "POST / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                                "Connection: Upgrade\r\nContent-Length: 0\r\n" +
                                    kKey + kV13 + "\r\n");
        });
        REQUIRE(post.rfind("HTTP/1.1 400", 0) == 0);
    }());
}

TEST_CASE("a plain GET gets a page, h2c is answered as HTTP", "[ws][server]") {
    corio::run([]() -> Coro<void> {
        corio::Server plain =
            co_await ws::serve(corio_test::ws_echo, "127.0.0.1", 0, test_options());
        uint16_t port = plain.port();
        std::string get = co_await off_loop(
            [port] { return raw_exchange(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); });
        REQUIRE(get.rfind("HTTP/1.1 426", 0) == 0);
        REQUIRE_THAT(get, Catch::Contains("WebSocket"));
        std::string h2c = co_await off_loop([port] {
            return raw_exchange(
                port,
                "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nConnection: Upgrade, "
                "HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n");
        });
        REQUIRE(h2c.rfind("HTTP/1.1 426", 0) == 0);

        auto o = test_options();
        o.page = "<html><body>hello page</body></html>";
        corio::Server with_page = co_await ws::serve(corio_test::ws_echo, "127.0.0.1", 0, o);
        uint16_t port2 = with_page.port();
        std::string page = co_await off_loop(
            [port2] { return raw_exchange(port2, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); });
        REQUIRE(page.rfind("HTTP/1.1 200", 0) == 0);
        REQUIRE_THAT(page, Catch::Contains("text/html"));
        REQUIRE_THAT(page, Catch::Contains("hello page"));
    }());
}

TEST_CASE("the 101 answer has the accept key and never the extension header", "[ws][server]") {
    corio::run([]() -> Coro<void> {
        auto o = test_options();
        o.subprotocols = {"chat", "superchat"};
        corio::Server server = co_await ws::serve(corio_test::ws_echo, "127.0.0.1", 0, o);
        uint16_t port = server.port();
        std::string head = co_await off_loop([port] {
            int fd = corio_test::raw_connect(port);
            corio_test::raw_send_all(
                fd, upgrade_request(kKey + kV13 +
                                    "Sec-WebSocket-Extensions: permessage-deflate; "
                                    "client_max_window_bits\r\n"
                                    "Sec-WebSocket-Protocol: superchat, chat\r\n"));
            std::string got;
            while (got.find("\r\n\r\n") == std::string::npos) {
                std::string c = corio_test::raw_recv_exactly(fd, 1, 2s);
                if (c.empty()) break;
                got += c;
            }
            close(fd);
            return got;
        });
        REQUIRE(head.rfind("HTTP/1.1 101", 0) == 0);
        REQUIRE_THAT(head, Catch::Contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
        REQUIRE_THAT(head,
                     Catch::Contains("Sec-WebSocket-Protocol: superchat\r\n"));  // client order
        REQUIRE_THAT(head, !Catch::Contains("Extensions"));

        ws::ConnectOptions co;
        co.subprotocols = {"superchat"};
        ws::Connection c = co_await ws::connect("ws://127.0.0.1:" + std::to_string(port) + "/", co);
        REQUIRE(c.subprotocol() == "superchat");
    }());
}

TEST_CASE("frames sent together with the handshake request are not lost", "[ws][server]") {
    corio::run([]() -> Coro<void> {
        corio::Server server =
            co_await ws::serve(corio_test::ws_echo, "127.0.0.1", 0, test_options());
        uint16_t port = server.port();
        std::string echoed = co_await off_loop([port] {
            int fd = corio_test::raw_connect(port);
            corio_test::raw_send_all(fd, upgrade_request(kKey + kV13) +
                                             corio_test::ws_frame(1, "eager one") +
                                             corio_test::ws_frame(1, "eager two"));
            std::string head;
            while (head.find("\r\n\r\n") == std::string::npos) {
                std::string c = corio_test::raw_recv_exactly(fd, 1, 2s);
                if (c.empty()) break;
                head += c;
            }
            auto f1 = corio_test::ws_read_frame(fd, 2s);
            auto f2 = corio_test::ws_read_frame(fd, 2s);
            close(fd);
            return f1.payload + "|" + f2.payload;
        });
        REQUIRE(echoed == "eager one|eager two");
    }());
}

TEST_CASE("max_connections holds further clients until one leaves", "[ws][server]") {
    corio::run([]() -> Coro<void> {
        auto o = test_options();
        o.max_connections = 1;
        corio::Server server = co_await ws::serve(corio_test::ws_echo, "127.0.0.1", 0, o);
        std::string url = "ws://127.0.0.1:" + std::to_string(server.port()) + "/";
        ws::Connection first = co_await ws::connect(url);
        auto second = corio::create_task(ws::connect(url));
        co_await corio::sleep(200ms);
        REQUIRE_FALSE(second.done());
        co_await first.close();
        ws::Connection c2 = co_await corio::wait_for(second, 5s);
        co_await c2.send("now");
        auto m = co_await corio::wait_for(c2.recv(), 5s);
        REQUIRE((m && m->text() == "now"));
    }());
}

TEST_CASE("a handler that returns with unread messages still closes promptly", "[ws][server]") {
    corio::run([]() -> Coro<void> {
        auto o = test_options();
        o.close_timeout = 30s;  // a close stuck behind the full inbox would take this long
        auto handler = [](ws::Connection&) -> Coro<void> { co_await corio::sleep(200ms); };
        corio::Server server = co_await ws::serve(handler, "127.0.0.1", 0, o);
        ws::Connection c =
            co_await ws::connect("ws://127.0.0.1:" + std::to_string(server.port()) + "/");
        for (int i = 0; i < 40; ++i) co_await c.send("unread " + std::to_string(i));
        auto end = co_await corio::wait_for(c.recv(), 5s);
        REQUIRE_FALSE(end.has_value());
        REQUIRE(c.close_code() == 1000);
        co_await corio::wait_for(c.wait_closed(), 5s);
    }());
}

TEST_CASE("frames that need wslay, between whole frames, round after round, all answered in order",
          "[ws][server]") {
    // Whole data frames bypass wslay; pings, fragments and a close go through it, and its
    // context is made when needed and let go when idle. Each round does both, once with a pause
    // between frames (the context comes and goes) and once in a single write.
    corio::run([]() -> Coro<void> {
        corio::Server server =
            co_await ws::serve(corio_test::ws_echo, "127.0.0.1", 0, test_options());
        uint16_t port = server.port();
        std::string log = co_await off_loop([port] {
            using corio_test::ws_frame;
            int fd = corio_test::ws_raw_open(port);
            // Pongs go out as their ping is read, echoes when the handler sends: each kind keeps
            // its own order.
            std::string pongs, echoes;
            auto read_one = [&] {
                corio_test::RawFrame f = corio_test::ws_read_frame(fd, 2s);
                (f.opcode == 10 ? pongs : echoes) +=
                    std::to_string(f.opcode) + ":" + f.payload + " ";
            };
            for (int round = 0; round < 6; ++round) {
                std::string r = std::to_string(round);
                std::string frames[] = {ws_frame(9, "p" + r),     ws_frame(1, "whole" + r),
                                        ws_frame(1, "fr", false), ws_frame(9, "mid" + r),
                                        ws_frame(0, "ag" + r),    ws_frame(2, "bin" + r)};
                if (round % 2 == 0) {
                    for (const std::string& f : frames) {
                        corio_test::raw_send_all(fd, f);
                        std::this_thread::sleep_for(2ms);
                    }
                } else {
                    std::string all;
                    for (const std::string& f : frames) all += f;
                    corio_test::raw_send_all(fd, all);
                }
                for (int i = 0; i < 5; ++i) read_one();
            }
            corio_test::raw_send_all(fd, ws_frame(8, corio_test::ws_close_payload(1000)));
            std::string code = std::to_string(corio_test::ws_read_close_code(fd, 2s));
            close(fd);
            return pongs + "| " + echoes + "| close:" + code;
        });
        std::string pongs, echoes;
        for (int round = 0; round < 6; ++round) {
            std::string r = std::to_string(round);
            pongs += "10:p" + r + " 10:mid" + r + " ";
            echoes += "1:whole" + r + " 1:frag" + r + " 2:bin" + r + " ";
        }
        REQUIRE(log == pongs + "| " + echoes + "| close:1000");
    }());
}
