// Streams and servers destroyed in any order with their loop: a loop that closes (or shuts
// down) first closes them, the peer sees the socket shut, and a handle that outlives the loop
// behaves as closed (reads return end of stream, writes throw ConnectionError, close() does
// nothing, destroying it is safe). Meant to be run under ASan: a dangling loop pointer in a
// stream or a server would show here.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "corio/corio.hpp"
#include "corio/tls.hpp"
#include "net_support.hpp"
#include "support.hpp"
#include "tls_support.hpp"

using namespace std::chrono_literals;
using corio::Coro;
using corio::Loop;
using corio::Stream;

namespace {

// A raw loopback listener and one corio Stream connected to it, made on `loop`; the raw
// accepted end goes to peer_fd.
Stream connect_raw(Loop& loop, int& peer_fd) {
    uint16_t port = 0;
    int lfd = corio_test::raw_listen(port, 4);
    Stream s = loop.run_until_complete(corio::open_connection("127.0.0.1", port));
    peer_fd = ::accept(lfd, nullptr, nullptr);
    ::close(lfd);
    REQUIRE(peer_fd >= 0);
    return s;
}

// What a handle that outlived its loop must do, checked from a second loop.
void require_behaves_as_closed(Stream& s) {
    REQUIRE(s.is_closing());
    REQUIRE(s.native_handle() == -1);
    REQUIRE(s.peer().empty());
    REQUIRE(s.write_buffer_size() == 0);
    REQUIRE_THROWS_AS(s.write("late"), corio::ConnectionError);
    s.close();  // no-op
    s.write_eof();
    Loop other;
    std::string got = other.run_until_complete(s.read());
    REQUIRE(got.empty());
    REQUIRE(s.at_eof());
    other.run_until_complete(s.drain());
    other.run_until_complete(s.wait_closed());
}

// The peer end sees end of stream (the socket was shut) within a bound.
bool peer_sees_eof(int fd) {
    std::string rest = corio_test::raw_recv_exactly(fd, 1, 5s);
    return rest.empty();
}

Coro<void> park_reading(Stream& s, bool& started) {
    started = true;
    co_await s.read();
}

const corio_test::TestPki& pki() {
    static corio_test::TestPki p;
    return p;
}

}  // namespace

TEST_CASE("a stream destroyed before its loop closes its socket", "[teardown]") {
    size_t fds = corio_test::count_open_fds();
    Loop loop;
    int peer = -1;
    {
        Stream s = connect_raw(loop, peer);
        s.write("bye");
    }
    REQUIRE(corio_test::raw_recv_exactly(peer, 3, 5s) == "bye");
    REQUIRE(peer_sees_eof(peer));
    ::close(peer);
    loop.close();
    REQUIRE(corio_test::count_open_fds() == fds);
}

TEST_CASE("a stream that outlives its loop is closed by it and behaves as closed", "[teardown]") {
    size_t fds = corio_test::count_open_fds();
    int peer = -1;
    std::optional<Stream> kept;
    {
        Loop loop;
        kept.emplace(connect_raw(loop, peer));
        kept->write("before");
    }  // the loop goes first
    REQUIRE(corio_test::raw_recv_exactly(peer, 6, 5s) == "before");
    REQUIRE(peer_sees_eof(peer));
    require_behaves_as_closed(*kept);
    kept.reset();
    ::close(peer);
    REQUIRE(corio_test::count_open_fds() == fds);
}

TEST_CASE("a loop closed while a task reads from a stream held outside it", "[teardown]") {
    int peer = -1;
    std::optional<Stream> kept;
    {
        Loop loop;
        kept.emplace(connect_raw(loop, peer));
        bool started = false;
        auto reader = loop.create_task(park_reading(*kept, started));
        loop.run_until_complete(corio_test::after(10ms, 0));
        REQUIRE(started);
        std::string report = corio_test::capture_stderr([&] { loop.close(); });
        REQUIRE(report.find("pending") != std::string::npos);
    }
    REQUIRE(peer_sees_eof(peer));
    require_behaves_as_closed(*kept);
    ::close(peer);
}

TEST_CASE("Loop::shutdown closes open streams after sending what they buffered", "[teardown]") {
    int peer = -1;
    Loop loop;
    Stream s = connect_raw(loop, peer);
    std::string big(1 << 20, 'z');
    s.write(big);  // more than the socket takes at once: the rest waits in the buffer
    // A thread reads it all while the loop shuts down (the linger sends it).
    std::string got;
    std::thread reader([&] { got = corio_test::raw_recv_exactly(peer, big.size(), 10s); });
    loop.shutdown();
    reader.join();
    REQUIRE(got.size() == big.size());
    REQUIRE(peer_sees_eof(peer));
    REQUIRE(s.is_closing());
    REQUIRE_THROWS_AS(s.write("x"), corio::ConnectionError);
    ::close(peer);
}

TEST_CASE("a server destroyed before its loop, and one that outlives it", "[teardown]") {
    size_t fds = corio_test::count_open_fds();
    auto handler = [](Stream s) -> Coro<void> { co_await s.read(); };
    uint16_t port = 0;
    {
        Loop loop;
        {
            corio::Server first =
                loop.run_until_complete(corio::start_server(handler, "127.0.0.1", 0));
            REQUIRE(first.is_serving());
        }
        loop.run_until_complete(corio_test::after(1ms, 0));
        corio::Server server =
            loop.run_until_complete(corio::start_server(handler, "127.0.0.1", 0));
        port = server.port();
        std::optional<corio::Server> kept;
        kept.emplace(std::move(server));
        loop.close();
        // The loop closed it: the port is free, the handle says closed and close() is a no-op.
        REQUIRE_FALSE(kept->is_serving());
        REQUIRE(kept->port() == port);
        REQUIRE(kept->active_connections() == 0);
        kept->close();
        kept->close_clients();
    }
    Loop other;
    corio::Server again = other.run_until_complete(corio::start_server(handler, "127.0.0.1", port));
    REQUIRE(again.port() == port);
    again.close();
    other.run_until_complete(again.wait_closed());
    other.close();
    REQUIRE(corio_test::count_open_fds() == fds);
}

TEST_CASE("Loop::shutdown closes a server whose handle is held outside", "[teardown]") {
    Loop loop;
    auto handler = [](Stream s) -> Coro<void> { co_await s.read(); };
    corio::Server server = loop.run_until_complete(corio::start_server(handler, "127.0.0.1", 0));
    int client = corio_test::raw_connect(server.port());
    loop.run_until_complete(corio_test::after(20ms, 0));
    REQUIRE(server.active_connections() == 1);
    loop.shutdown();  // cancels the handler, closes its stream and the server
    REQUIRE_FALSE(server.is_serving());
    REQUIRE(server.active_connections() == 0);
    REQUIRE(peer_sees_eof(client));
    ::close(client);
}

TEST_CASE("streams a handler handed out of start_server outlive the loop safely", "[teardown]") {
    std::optional<Stream> taken;
    int parked_client = -1;
    int taken_client = -1;
    {
        Loop loop;
        int connections = 0;
        auto handler = [&](Stream s) -> Coro<void> {
            if (connections++ == 0) {
                taken.emplace(std::move(s));  // kept by the test, past the handler's end
                co_return;
            }
            co_await s.read();  // still parked here when the loop closes
        };
        corio::Server server =
            loop.run_until_complete(corio::start_server(handler, "127.0.0.1", 0));
        taken_client = corio_test::raw_connect(server.port());
        loop.run_until_complete(corio_test::after(20ms, 0));
        parked_client = corio_test::raw_connect(server.port());
        loop.run_until_complete(corio_test::after(20ms, 0));
        REQUIRE(taken.has_value());
        REQUIRE(server.active_connections() == 1);
        std::string report = corio_test::capture_stderr([&] { loop.close(); });
        // The server handle is destroyed after the loop here (declared inside the block).
    }
    REQUIRE(peer_sees_eof(taken_client));
    REQUIRE(peer_sees_eof(parked_client));
    require_behaves_as_closed(*taken);
    taken.reset();
    ::close(taken_client);
    ::close(parked_client);
}

TEST_CASE("a TLS stream that outlives its loop behaves as closed", "[teardown][tls]") {
    corio::ServerOptions so;
    so.tls = corio::tls::server_context({.cert_file = pki().good.cert, .key_file = pki().good.key});
    corio::ConnectOptions co;
    co.tls = corio::tls::client_context(
        corio::tls::ClientOptions{.system_trust = false, .ca_file = pki().ca()});
    std::optional<Stream> client;
    {
        Loop loop;
        auto handler = [](Stream s) -> Coro<void> {
            for (;;) {
                std::string got = co_await s.read();
                if (got.empty()) co_return;
                s.write(got);
            }
        };
        corio::Server server =
            loop.run_until_complete(corio::start_server(handler, "127.0.0.1", 0, so));
        client.emplace(
            loop.run_until_complete(corio::open_connection("127.0.0.1", server.port(), co)));
        client->write("ping");
        std::string back = loop.run_until_complete(client->read_exactly(4));
        REQUIRE(back == "ping");
        REQUIRE(client->transport() != nullptr);
        std::string report = corio_test::capture_stderr([&] { loop.close(); });
    }
    require_behaves_as_closed(*client);
}

TEST_CASE("open streams and servers are not pending tasks", "[teardown]") {
    // The loop tracks them to close them, but pending_tasks() counts work, as asyncio's
    // all_tasks() does not list transports.
    int peer = -1;
    Loop loop;
    Stream s = connect_raw(loop, peer);
    REQUIRE(loop.pending_tasks() == 0);
    auto nap = []() -> Coro<void> { co_await corio::sleep(1s); };
    auto nap_briefly = []() -> Coro<void> { co_await corio::sleep(0s); };
    auto t = loop.create_task(nap());
    REQUIRE(loop.pending_tasks() == 1);
    t.cancel();
    s.close();
    loop.run_until_complete(nap_briefly());
    ::close(peer);
}
