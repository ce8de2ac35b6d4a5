// ws::Connection over a loopback TCP pair, both roles made by corio: messages both ways, the
// closing handshake from either end (after everything sent before it), leftover handshake bytes,
// the size limit, keepalive pings, and send's backpressure.
#include <catch2/catch.hpp>

#include "corio/corio.hpp"
#include "corio/ws/connection.hpp"
#include "net_support.hpp"
#include "ws_support.hpp"

using namespace std::chrono_literals;
using corio::Coro;
using corio::Stream;
using corio::ws::Connection;
using corio::ws::ConnectionOptions;
using corio::ws::Message;
using corio::ws::Role;

namespace {

ConnectionOptions quiet() {
    ConnectionOptions o;
    o.ping_interval = 0ms;
    o.close_timeout = 2s;
    return o;
}

struct Pair {
    Connection client;
    Connection server;
};

Coro<Pair> ws_pair(ConnectionOptions server_options = quiet(),
                   ConnectionOptions client_options = quiet()) {
    auto [a, b] = co_await corio_test::connected_pair();
    co_return Pair{Connection(std::move(a), {}, Role::Client, client_options),
                   Connection(std::move(b), {}, Role::Server, server_options)};
}

Coro<std::optional<Message>> recv_within(Connection& c, std::chrono::milliseconds d = 5s) {
    co_return co_await corio::wait_for(c.recv(), d);
}

std::string pattern(size_t n) {
    std::string s(n, '\0');
    for (size_t i = 0; i < n; ++i) s[i] = char('a' + (i * 7) % 26);
    return s;
}

}  // namespace

TEST_CASE("text and binary messages of every size cross both ways", "[ws][connection]") {
    corio::run([]() -> Coro<void> {
        Pair p = co_await ws_pair();
        std::string bin("\0\xff\x01 binary", 10);
        std::string big = pattern(1024 * 1024 - 16);
        co_await p.client.send("h\xc3\xa9llo");
        co_await p.client.send_binary(bin);
        co_await p.client.send("");
        co_await p.client.send(big);
        auto m1 = co_await recv_within(p.server);
        auto m2 = co_await recv_within(p.server);
        auto m3 = co_await recv_within(p.server);
        auto m4 = co_await recv_within(p.server);
        REQUIRE((m1 && m1->is_text() && m1->text() == "h\xc3\xa9llo"));
        REQUIRE((m2 && m2->is_binary() && m2->data() == bin));
        REQUIRE((m3 && m3->is_text() && m3->text().empty()));
        REQUIRE((m4 && m4->text() == big));
        co_await p.server.send_binary(big);
        auto back = co_await recv_within(p.client);
        REQUIRE((back && back->is_binary() && back->data() == big));
        REQUIRE(p.server.messages_in() == 4);
        REQUIRE(p.server.messages_out() == 1);
    }());
}

TEST_CASE("a client's close is answered: both ends see its code and reason", "[ws][connection]") {
    corio::run([]() -> Coro<void> {
        Pair p = co_await ws_pair();
        REQUIRE_FALSE(p.client.close_code().has_value());
        auto server_end = corio::create_task(p.server.recv());
        co_await corio::wait_for(p.client.close(4000, "done here"), 5s);
        auto last = co_await corio::wait_for(server_end, 5s);
        REQUIRE_FALSE(last.has_value());
        co_await corio::wait_for(p.server.wait_closed(), 5s);
        REQUIRE(p.client.close_code() == 4000);
        REQUIRE(p.server.close_code() == 4000);
        REQUIRE(p.server.close_reason() == "done here");
        REQUIRE_FALSE(p.client.is_open());
        bool thrown =
            co_await corio_test::throws_as<corio::ws::ConnectionClosed>(p.client.send("too late"));
        REQUIRE(thrown);
        thrown =
            co_await corio_test::throws_as<corio::ws::ConnectionClosed>(p.server.send("too late"));
        REQUIRE(thrown);
        co_await p.client.close();  // idempotent
    }());
}

TEST_CASE("close goes out after every message sent before it", "[ws][connection]") {
    corio::run([]() -> Coro<void> {
        Pair p = co_await ws_pair();
        std::string chunk = pattern(10000);
        for (int i = 0; i < 200; ++i) co_await p.server.send(std::to_string(i) + chunk);
        auto closing = corio::create_task(p.server.close(1001, "going away"));
        int got = 0;
        while (auto m = co_await recv_within(p.client)) {
            REQUIRE(m->text() == std::to_string(got) + chunk);
            ++got;
        }
        co_await corio::wait_for(closing, 5s);
        REQUIRE(got == 200);
        REQUIRE(p.client.close_code() == 1001);
        REQUIRE(p.client.close_reason() == "going away");
        REQUIRE(p.server.close_code() == 1001);  // the client echoed it
    }());
}

TEST_CASE("bytes read past the handshake are the first frames", "[ws][connection]") {
    corio::run([]() -> Coro<void> {
        auto [a, b] = co_await corio_test::connected_pair();
        std::string early = corio_test::ws_frame(1, "early") + corio_test::ws_frame(2, "bird");
        a.write(corio_test::ws_frame(1, "later"));
        Connection server(std::move(b), early, Role::Server, quiet(), "/chat?x=1");
        REQUIRE(server.path() == "/chat?x=1");
        REQUIRE(server.remote() == a.local());
        auto m1 = co_await recv_within(server);
        auto m2 = co_await recv_within(server);
        auto m3 = co_await recv_within(server);
        REQUIRE((m1 && m1->text() == "early"));
        REQUIRE((m2 && m2->is_binary() && m2->data() == "bird"));
        REQUIRE((m3 && m3->text() == "later"));
    }());
}

TEST_CASE("a message over max_message_size closes with 1009", "[ws][connection]") {
    corio::run([]() -> Coro<void> {
        ConnectionOptions small = quiet();
        small.max_message_size = 1000;
        Pair p = co_await ws_pair(small);
        co_await p.client.send(pattern(999));
        co_await p.client.send(pattern(2000));
        auto ok = co_await recv_within(p.server);
        REQUIRE((ok && ok->size() == 999));
        auto none = co_await recv_within(p.server);
        REQUIRE_FALSE(none.has_value());
        co_await corio::wait_for(p.client.wait_closed(), 5s);
        REQUIRE(p.client.close_code() == 1009);
        co_await corio::wait_for(p.server.wait_closed(), 5s);
        REQUIRE(p.server.close_code() == 1009);
    }());
}

TEST_CASE("keepalive drops a peer that never answers pings (20 s + 20 s by default)",
          "[ws][connection][keepalive]") {
    corio::ManualClock clock;  // jumps to the next timer whenever the loop would sleep
    corio::run(
        [](corio::ManualClock& clock) -> Coro<void> {
            auto [a, b] = co_await corio_test::connected_pair();
            ConnectionOptions o;  // the defaults
            auto t0 = clock.now();
            Connection server(std::move(b), {}, Role::Server, o);
            // a is a raw stream that never reads nor answers: a dead peer.
            co_await corio::wait_for(server.wait_closed(), 5min);
            REQUIRE(server.close_code() == 1011);
            REQUIRE(clock.now() - t0 >= 40s);
            REQUIRE(clock.now() - t0 < 41s);
            std::string bytes = co_await corio::wait_for(a.read(), 2s);  // the ping, then a close
            REQUIRE(!bytes.empty());
            REQUIRE(uint8_t(bytes[0]) == 0x89);
        }(clock),
        corio::LoopOptions{.clock = &clock});
}

TEST_CASE("close gives up after close_timeout when the peer never answers", "[ws][connection]") {
    corio::ManualClock clock;
    corio::run(
        [](corio::ManualClock& clock) -> Coro<void> {
            auto [a, b] = co_await corio_test::connected_pair();
            ConnectionOptions o = quiet();
            o.close_timeout = 10s;
            Connection client(std::move(a), {}, Role::Client, o);
            auto t0 = clock.now();
            auto closing = corio::create_task(client.close());
            std::string bytes = co_await b.read(2);
            REQUIRE(bytes.size() >= 1);
            REQUIRE(uint8_t(bytes[0]) == 0x88);  // our close frame went out; no answer comes
            co_await corio::wait_for(closing, 5min);
            REQUIRE(clock.now() - t0 >= 10s);
            REQUIRE(client.close_code() == 1006);  // no closing handshake happened
        }(clock),
        corio::LoopOptions{.clock = &clock});
}

TEST_CASE("keepalive keeps a peer that answers pings, even while busy",
          "[ws][connection][keepalive]") {
    corio::run([]() -> Coro<void> {
        ConnectionOptions o = quiet();
        o.ping_interval = 20ms;
        o.ping_timeout = 200ms;
        Pair p = co_await ws_pair(o);
        auto echo = corio::create_task(corio_test::ws_echo(p.server));
        auto until = corio::Loop::current().time() + 500ms;
        int rounds = 0;
        while (corio::Loop::current().time() < until) {
            co_await p.client.send("busy " + std::to_string(rounds));
            auto m = co_await recv_within(p.client);
            REQUIRE(m.has_value());
            ++rounds;
            if (rounds % 50 == 0) co_await corio::sleep(5ms);
        }
        REQUIRE(p.server.is_open());
        co_await p.client.close();
        co_await corio::wait_for(echo, 5s);
        REQUIRE(p.server.close_code() == 1000);
    }());
}

TEST_CASE("send waits while the peer does not read, and memory stays bounded", "[ws][connection]") {
    corio::run([]() -> Coro<void> {
        auto [a, b] = co_await corio_test::connected_pair();
        ConnectionOptions o = quiet();
        o.write_high = 64 * 1024;
        Connection server(std::move(b), {}, Role::Server, o);
        std::string chunk = pattern(64 * 1024);
        auto sender = corio::create_task([](Connection& c, std::string chunk) -> Coro<void> {
            for (int i = 0; i < 1000; ++i) co_await c.send_binary(chunk);
        }(server, chunk));
        co_await corio::sleep(300ms);
        // 64 MB would have gone into buffers without backpressure; the kernel's socket buffers
        // take a few MB at most.
        REQUIRE_FALSE(sender.done());
        uint64_t stalled_at = server.messages_out();
        REQUIRE(stalled_at < 200);
        // Once the peer reads, everything flows.
        size_t total = 0;
        while (total < 1000 * (64 * 1024 + 10)) {
            std::string d = co_await corio::wait_for(a.read(1 << 20), 5s);
            REQUIRE(!d.empty());
            total += d.size();
        }
        co_await corio::wait_for(sender, 5s);
        REQUIRE(server.messages_out() == 1000);
    }());
}

TEST_CASE("destroying an open connection drops the socket", "[ws][connection]") {
    corio::run([]() -> Coro<void> {
        auto [a, b] = co_await corio_test::connected_pair();
        {
            Connection server(std::move(b), {}, Role::Server, quiet());
            co_await corio::sleep(1ms);
        }
        bool ended = false;
        try {
            std::string d = co_await corio::wait_for(a.read(), 2s);
            ended = d.empty();
        } catch (const corio::ConnectionError&) {
            ended = true;  // reset
        }
        REQUIRE(ended);
    }());
}
