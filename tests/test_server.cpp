// start_server and Server over loopback (real clock, generous bounds): port 0, many clients,
// close / wait_closed / close_clients / serve_forever, the connection limit, handler errors,
// listening on every interface, and two loops on two threads sharing a port (SO_REUSEPORT).
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "corio/corio.hpp"
#include "net_support.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using corio::Coro;
using corio::Stream;
using corio::Task;
using corio_test::echo;

namespace {

Coro<std::string> ask(uint16_t port, std::string line) {
    Stream s = co_await corio::open_connection("127.0.0.1", port);
    s.write(line);
    co_return co_await s.read_until("\n");
}

}  // namespace

TEST_CASE("a server on port 0 picks a free port and serves many clients at once", "[server]") {
    corio::run([]() -> Coro<void> {
        corio::Server server = co_await corio::start_server(echo, "127.0.0.1", 0);
        REQUIRE(server.port() != 0);
        REQUIRE(server.is_serving());
        std::vector<Task<std::string>> clients;
        for (int i = 0; i < 50; ++i) {
            clients.push_back(corio::create_task(ask(server.port(), std::to_string(i) + "\n")));
        }
        for (int i = 0; i < 50; ++i) {
            std::string back = co_await clients[i];
            REQUIRE(back == std::to_string(i) + "\n");
        }
    }());
}

TEST_CASE("close stops accepting at once and leaves handlers running; wait_closed waits for them",
          "[server]") {
    corio::run([]() -> Coro<void> {
        corio::Server server = co_await corio::start_server(echo, "127.0.0.1", 0);
        uint16_t port = server.port();
        Stream client = co_await corio::open_connection("127.0.0.1", port);
        client.write("before\n");
        std::string before = co_await client.read_until("\n");
        server.close();
        REQUIRE_FALSE(server.is_serving());
        REQUIRE(server.active_connections() == 1);
        bool refused =
            co_await corio_test::throws_as<corio::ConnectionRefusedError>(ask(port, "x\n"));
        client.write("still served\n");
        std::string after = co_await client.read_until("\n");
        auto closed = corio::create_task(server.wait_closed());
        co_await corio::sleep(10ms);
        REQUIRE_FALSE(closed.done());  // the handler still runs
        client.close();
        co_await closed;
        REQUIRE(before == "before\n");
        REQUIRE(refused);
        REQUIRE(after == "still served\n");
        REQUIRE(server.active_connections() == 0);
    }());
}

TEST_CASE("close_clients ends running handlers: their reads see end of stream", "[server]") {
    corio::run([]() -> Coro<void> {
        corio::Server server = co_await corio::start_server(echo, "127.0.0.1", 0);
        std::vector<Stream> clients;
        for (int i = 0; i < 5; ++i) {
            clients.push_back(co_await corio::open_connection("127.0.0.1", server.port()));
        }
        while (server.active_connections() < 5) co_await corio::sleep(1ms);
        server.close();
        server.close_clients();
        co_await server.wait_closed();
        for (auto& c : clients) {
            std::string end = co_await c.read();
            REQUIRE(end == "");
        }
    }());
}

TEST_CASE("serve_forever returns once the server is closed, and closes it when cancelled",
          "[server]") {
    corio::run([]() -> Coro<void> {
        corio::Server a = co_await corio::start_server(echo, "127.0.0.1", 0);
        auto serving = corio::create_task(a.serve_forever());
        co_await corio::sleep(5ms);
        REQUIRE_FALSE(serving.done());
        a.close();
        co_await serving;

        corio::Server b = co_await corio::start_server(echo, "127.0.0.1", 0);
        auto forever = corio::create_task(b.serve_forever());
        co_await corio::sleep(5ms);
        forever.cancel();
        bool cancelled = co_await corio_test::throws_as<corio::CancelledError>(forever);
        REQUIRE(cancelled);
        REQUIRE_FALSE(b.is_serving());
    }());
}

TEST_CASE("at the connection limit new connections wait in the backlog until a handler returns",
          "[server]") {
    corio::run([]() -> Coro<void> {
        corio::ServerOptions opts;
        opts.max_connections = 2;
        corio::Server server = co_await corio::start_server(
            [](Stream s) -> Coro<void> {
                std::string line = co_await s.read_until("\n");
                s.write(line);
            },
            "127.0.0.1", 0, opts);
        uint16_t port = server.port();
        Stream first = co_await corio::open_connection("127.0.0.1", port);
        Stream second = co_await corio::open_connection("127.0.0.1", port);
        auto third = corio::create_task(ask(port, "third\n"));
        co_await corio::sleep(30ms);
        REQUIRE(server.active_connections() == 2);
        REQUIRE_FALSE(third.done());  // connected in the kernel, not yet accepted
        first.write("first\n");
        std::string one = co_await first.read_until("\n");
        std::string three = co_await third;  // accepted once the first handler returned
        second.write("second\n");
        std::string two = co_await second.read_until("\n");
        REQUIRE(one == "first\n");
        REQUIRE(two == "second\n");
        REQUIRE(three == "third\n");
    }());
}

TEST_CASE("a handler that throws is reported and the server keeps serving", "[server]") {
    std::string err = corio_test::capture_stderr([] {
        corio::run([]() -> Coro<void> {
            corio::Server server = co_await corio::start_server(
                [](Stream s) -> Coro<void> {
                    std::string line = co_await s.read_until("\n");
                    if (line == "boom\n") throw std::runtime_error("handler failed on purpose");
                    s.write(line);
                },
                "127.0.0.1", 0);
            Stream bad = co_await corio::open_connection("127.0.0.1", server.port());
            bad.write("boom\n");
            std::string end = co_await bad.read();  // the handler's stream closed
            std::string ok = co_await ask(server.port(), "fine\n");
            REQUIRE(end == "");
            REQUIRE(ok == "fine\n");
        }());
    });
    REQUIRE(err.find("handler failed on purpose") != std::string::npos);
}

TEST_CASE("an empty host listens on every interface, IPv4 and IPv6, on one port", "[server]") {
    corio::run([]() -> Coro<void> {
        corio::Server server = co_await corio::start_server(echo, "", 0);
        std::string p = std::to_string(server.port());
        REQUIRE(server.addresses() == std::vector<std::string>{"0.0.0.0:" + p, "[::]:" + p});
        Stream v4 = co_await corio::open_connection("127.0.0.1", server.port());
        Stream v6 = co_await corio::open_connection("::1", server.port());
        v4.write("4\n");
        v6.write("6\n");
        std::string a = co_await v4.read_until("\n");
        std::string b = co_await v6.read_until("\n");
        REQUIRE(a == "4\n");
        REQUIRE(b == "6\n");
    }());
}

TEST_CASE("listening on a port in use throws ConnectionError naming the address", "[server]") {
    corio::run([]() -> Coro<void> {
        corio::Server first = co_await corio::start_server(echo, "127.0.0.1", 0);
        std::string message;
        int code = 0;
        try {
            co_await corio::start_server(echo, "127.0.0.1", first.port());
        } catch (const corio::ConnectionError& e) {
            message = e.what();
            code = e.code();
        }
        REQUIRE(code == EADDRINUSE);
        REQUIRE(message.find("127.0.0.1:" + std::to_string(first.port())) != std::string::npos);
    }());
}

TEST_CASE("two loops on two threads share one port through SO_REUSEPORT", "[server][threads]") {
    // One loop per thread is how corio uses several cores: each thread runs its own server on
    // the same port and the kernel spreads the connections.
    struct Worker {
        std::promise<uint16_t> port;
        std::atomic<bool> stop{false};
    };
    auto serve = [](Worker& w, const char* tag, uint16_t port) {
        corio::run([](Worker& w, const char* tag, uint16_t port) -> Coro<void> {
            corio::ServerOptions opts;
            opts.reuse_port = true;
            corio::Server server = co_await corio::start_server(
                [tag](Stream s) -> Coro<void> {
                    co_await s.read_until("\n");
                    s.write(std::string(tag) + "\n");
                },
                "127.0.0.1", port, opts);
            w.port.set_value(server.port());
            while (!w.stop.load()) co_await corio::sleep(2ms);
        }(w, tag, port));
    };
    Worker a, b;
    std::thread ta([&] { serve(a, "A", 0); });
    uint16_t port = a.port.get_future().get();
    std::thread tb([&] { serve(b, "B", port); });
    REQUIRE(b.port.get_future().get() == port);
    std::multiset<std::string> answers =
        corio::run([](uint16_t port) -> Coro<std::multiset<std::string>> {
            std::vector<Task<std::string>> clients;
            for (int i = 0; i < 64; ++i) clients.push_back(corio::create_task(ask(port, "who\n")));
            std::multiset<std::string> out;
            for (auto& c : clients) out.insert(co_await c);
            co_return out;
        }(port));
    a.stop = true;
    b.stop = true;
    ta.join();
    tb.join();
    REQUIRE(answers.size() == 64);
    REQUIRE(answers.count("A\n") > 0);
    REQUIRE(answers.count("B\n") > 0);
    REQUIRE(answers.count("A\n") + answers.count("B\n") == 64);
}
