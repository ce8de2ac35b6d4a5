// The poll(2) backend under real streams: its emulated edges (src/reactor/edge_emulation.hpp)
// must lose no readiness when data moves in bulk, and must not wake an idle loop for a socket
// that stays writable or hung up while nobody touches it.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "corio/corio.hpp"
#include "net_support.hpp"

using namespace std::chrono_literals;
using corio::Coro;

namespace {

corio::LoopOptions poll_backend() { return {.poller = corio::PollerKind::Poll}; }

Coro<std::string> echo_round_trip(size_t bytes) {
    auto [client, server] = co_await corio_test::connected_pair();
    auto echo = corio::create_task(corio_test::echo(std::move(server)));
    std::string sent(bytes, '\0');
    for (size_t i = 0; i < bytes; ++i) sent[i] = static_cast<char>('a' + i % 26);
    client.write(sent);
    auto reading = corio::create_task(client.read_exactly(bytes));
    co_await client.drain();
    std::string got = co_await reading;
    client.write_eof();
    co_await echo;
    co_return got == sent ? "same" : "different";
}

Coro<double> cpu_while_idle(bool hang_up) {
    auto [client, server] = co_await corio_test::connected_pair();
    client.write("x");  // unread by the server: its socket stays readable
    co_await client.drain();
    if (hang_up) client.close();  // and then hung up, with nobody reading
    co_await corio::sleep(20ms);
    double cpu0 = corio_test::process_cpu_seconds();
    co_await corio::sleep(300ms);
    co_return corio_test::process_cpu_seconds() - cpu0;
}

}  // namespace

TEST_CASE("a poll-backed loop echoes 4 MiB through a stream without losing an edge", "[poll]") {
    corio::Loop loop(poll_backend());
    REQUIRE(std::string(loop.poller_name()) == "poll");
    auto r = loop.run_until_complete(corio::wait_for(echo_round_trip(4 << 20), 30s));
    REQUIRE(r == "same");
}

TEST_CASE("a poll-backed loop carries 20 connections at once", "[poll]") {
    corio::Loop loop(poll_backend());
    std::vector<Coro<std::string>> runs;
    for (int i = 0; i < 20; ++i) runs.push_back(echo_round_trip(200'000));
    auto all = loop.run_until_complete(corio::wait_for(corio::gather(std::move(runs)), 30s));
    REQUIRE(all == std::vector<std::string>(20, "same"));
}

TEST_CASE("an idle writable or unread connection does not keep a poll loop awake", "[poll]") {
    corio::Loop loop(poll_backend());
    double cpu = loop.run_until_complete(cpu_while_idle(false));
    REQUIRE(cpu < 0.1);  // a loop woken by every poll would burn ~0.3 s here
}

TEST_CASE("a hung-up connection nobody reads does not keep a poll loop awake", "[poll]") {
    corio::Loop loop(poll_backend());
    double cpu = loop.run_until_complete(cpu_while_idle(true));
    REQUIRE(cpu < 0.1);
}
