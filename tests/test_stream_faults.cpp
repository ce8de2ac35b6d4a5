// Streams under faults, over real loopback sockets: peers that reset mid-read and mid-write
// (ConnectionResetError, never SIGPIPE), and cancellation of a task blocked in read, drain or
// open_connection, after which the stream or descriptor must be usable again at once.
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "corio/corio.hpp"
#include "net_support.hpp"

using namespace std::chrono_literals;
using corio::Coro;
using corio::Stream;
using corio_test::connected_pair;
using corio_test::throws_as;

namespace {

// A corio server that hands its one accepted stream to the test, and a raw (non-corio) client.
struct RawPeer {
    corio::Server server;
    Stream accepted;
    int fd = -1;
};

Coro<void> connect_raw_peer(RawPeer& p) {
    bool got = false;
    p.server = co_await corio::start_server(
        [&](Stream s) -> Coro<void> {
            p.accepted = std::move(s);
            got = true;
            co_return;
        },
        "127.0.0.1", 0);
    p.fd = corio_test::raw_connect(p.server.port());
    for (int i = 0; i < 5000 && !got; ++i) co_await corio::sleep(1ms);
    p.server.close();
    REQUIRE(got);
}

}  // namespace

TEST_CASE("a peer that resets mid-read makes read throw ConnectionResetError", "[stream][faults]") {
    corio::run([]() -> Coro<void> {
        RawPeer p;
        co_await connect_raw_peer(p);
        REQUIRE(corio_test::raw_send_all(p.fd, "partial"));
        std::string first = co_await p.accepted.read();
        auto blocked = corio::create_task(p.accepted.read());
        co_await corio::sleep(10ms);
        REQUIRE_FALSE(blocked.done());
        corio_test::raw_reset(p.fd);
        bool reset = co_await throws_as<corio::ConnectionResetError>(std::move(blocked));
        REQUIRE(first == "partial");
        REQUIRE(reset);
        // The failure is sticky, and the stream closes cleanly afterwards.
        bool again = co_await throws_as<corio::ConnectionResetError>(p.accepted.read());
        REQUIRE(again);
        p.accepted.close();
        co_await p.accepted.wait_closed();
    }());
}

TEST_CASE("a peer that resets mid-write makes drain throw ConnectionResetError, without SIGPIPE",
          "[stream][faults]") {
    // The default action of SIGPIPE kills the process: the test passes only if corio never
    // raises it (MSG_NOSIGNAL).
    auto old = signal(SIGPIPE, SIG_DFL);
    corio::run([]() -> Coro<void> {
        RawPeer p;
        co_await connect_raw_peer(p);
        auto writer = corio::create_task([](Stream& s) -> Coro<size_t> {
            std::string chunk(64 * 1024, 'w');
            size_t sent = 0;
            for (;;) {
                s.write(chunk);
                co_await s.drain();
                sent += chunk.size();
            }
        }(p.accepted));
        co_await corio::sleep(50ms);  // the peer reads nothing: the writer blocks in drain
        REQUIRE_FALSE(writer.done());
        corio_test::raw_reset(p.fd);
        bool reset = co_await throws_as<corio::ConnectionResetError>(std::move(writer));
        REQUIRE(reset);
        bool write_fails = false;
        try {
            p.accepted.write("more");
        } catch (const corio::ConnectionResetError&) {
            write_fails = true;
        }
        REQUIRE(write_fails);
    }());
    signal(SIGPIPE, old);
}

TEST_CASE("a write straight after the peer reset fails with ConnectionResetError, without SIGPIPE",
          "[stream][faults]") {
    auto old = signal(SIGPIPE, SIG_DFL);
    corio::run([]() -> Coro<void> {
        RawPeer p;
        co_await connect_raw_peer(p);
        corio_test::raw_reset(p.fd);
        co_await corio::sleep(10ms);
        bool reset = false;
        try {
            for (int i = 0; i < 4; ++i) {
                p.accepted.write("after the reset");
                co_await p.accepted.drain();
            }
        } catch (const corio::ConnectionResetError& e) {
            reset = true;
            REQUIRE(e.code() != 0);
        }
        REQUIRE(reset);
    }());
    signal(SIGPIPE, old);
}

TEST_CASE("cancelling a task blocked in read: CancelledError, and the stream reads on at once",
          "[stream][faults][cancel]") {
    corio::run([]() -> Coro<void> {
        auto [a, b] = co_await connected_pair();
        auto blocked = corio::create_task(b.read());
        co_await corio::sleep(5ms);
        REQUIRE(blocked.cancel());
        bool cancelled = co_await throws_as<corio::CancelledError>(std::move(blocked));
        REQUIRE(cancelled);
        // Nothing was lost and the registration still works: the next read gets the bytes.
        a.write("after cancel");
        std::string got = co_await b.read_exactly(12);
        REQUIRE(got == "after cancel");
        // A cancel that lands after the data woke the read but before the read resumed: the
        // read throws CancelledError without consuming. Arranged with a second connection
        // whose edge is delivered first in the same poll, its reader cancelling ours. The
        // racing read is on a third connection, made after the second: epoll reports in
        // arrival order, poll(2) in registration order, and both then put d first.
        auto [c, d] = co_await connected_pair();
        auto [e, f] = co_await connected_pair();
        auto racing = corio::create_task(f.read());
        auto canceller =
            corio::create_task([](Stream& d, corio::Task<std::string>& racing) -> Coro<void> {
                co_await d.read();
                racing.cancel();
            }(d, racing));
        co_await corio::sleep(5ms);
        c.write("go");
        e.write("kept");
        co_await canceller;
        bool raced = co_await throws_as<corio::CancelledError>(racing);
        std::string kept = co_await corio::wait_for(f.read(), 5s);
        REQUIRE(raced);
        REQUIRE(kept == "kept");
    }());
}

TEST_CASE("cancelling a task blocked in drain: CancelledError, and the data still goes out",
          "[stream][faults][cancel]") {
    corio::run([]() -> Coro<void> {
        auto [a, b] = co_await connected_pair();
        std::string big(8 << 20, 'd');
        a.write(big);
        auto blocked = corio::create_task(a.drain());
        co_await corio::sleep(10ms);
        REQUIRE_FALSE(blocked.done());
        blocked.cancel();
        bool cancelled = co_await throws_as<corio::CancelledError>(std::move(blocked));
        REQUIRE(cancelled);
        auto drain_again = corio::create_task(a.drain());  // a new drain may wait at once
        size_t got = 0;
        while (got < big.size()) got += (co_await b.read()).size();
        co_await drain_again;
        REQUIRE(got == big.size());
        REQUIRE(a.write_buffer_size() == 0);
    }());
}

TEST_CASE("cancelling open_connection mid-handshake frees its socket and registration at once",
          "[connect][faults][cancel]") {
    corio::run([]() -> Coro<void> {
        corio_test::StalledListener stalled;
        size_t fds_before = corio_test::count_open_fds();
        auto connecting = corio::create_task(corio::open_connection("127.0.0.1", stalled.port));
        co_await corio::sleep(20ms);
        REQUIRE_FALSE(connecting.done());
        REQUIRE(corio_test::count_open_fds() == fds_before + 1);
        connecting.cancel();
        bool cancelled = co_await throws_as<corio::CancelledError>(std::move(connecting));
        REQUIRE(cancelled);
        REQUIRE(corio_test::count_open_fds() == fds_before);
        // The descriptor number is free again and registering it anew works at once.
        auto [a, b] = co_await connected_pair();
        a.write("reused");
        std::string got = co_await b.read_exactly(6);
        REQUIRE(got == "reused");
    }());
}

TEST_CASE("open_connection honours its timeout with TimeoutError naming host and port",
          "[connect][faults]") {
    corio::run([]() -> Coro<void> {
        corio_test::StalledListener stalled;
        corio::ConnectOptions opts;
        opts.timeout = 100ms;
        auto t0 = std::chrono::steady_clock::now();
        std::string message;
        try {
            co_await corio::open_connection("127.0.0.1", stalled.port, opts);
        } catch (const corio::TimeoutError& e) {
            message = e.what();
        }
        auto took = std::chrono::steady_clock::now() - t0;
        REQUIRE(message.find("127.0.0.1:" + std::to_string(stalled.port)) != std::string::npos);
        REQUIRE(took >= 90ms);
        REQUIRE(took < 2s);
    }());
}
