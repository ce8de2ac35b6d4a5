// Stream operations bounded with wait_for (issue 6: "any operation can be bounded with
// wait_for"): read, drain and open_connection time out with TimeoutError, and afterwards the
// stream and the loop's registrations are usable at once. Real loopback sockets, real clock.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "corio/corio.hpp"
#include "net_support.hpp"

using namespace std::chrono_literals;
using corio::Coro;
using corio_test::connected_pair;
using corio_test::throws_as;

TEST_CASE("wait_for bounds a read on a silent peer, and the stream reads on afterwards",
          "[stream][timeout]") {
    corio::run([]() -> Coro<void> {
        auto [a, b] = co_await connected_pair();
        bool timed_out = co_await throws_as<corio::TimeoutError>(corio::wait_for(b.read(), 30ms));
        REQUIRE(timed_out);
        a.write("late data");
        std::string got = co_await corio::wait_for(b.read_exactly(9), 5s);
        REQUIRE(got == "late data");
    }());
}

TEST_CASE("wait_for bounds a drain on a peer that reads nothing, and no byte is lost",
          "[stream][timeout]") {
    corio::run([]() -> Coro<void> {
        auto [a, b] = co_await connected_pair();
        std::string big(8 << 20, 'x');
        a.write(big);
        bool timed_out = co_await throws_as<corio::TimeoutError>(corio::wait_for(a.drain(), 30ms));
        REQUIRE(timed_out);
        size_t got = 0;
        while (got < big.size()) got += (co_await b.read()).size();
        co_await corio::wait_for(a.drain(), 5s);
        REQUIRE(got == big.size());
    }());
}

TEST_CASE("wait_for bounds open_connection to a listener that never answers",
          "[connect][timeout]") {
    corio::run([]() -> Coro<void> {
        corio_test::StalledListener stalled;
        size_t fds_before = corio_test::count_open_fds();
        bool timed_out = co_await throws_as<corio::TimeoutError>(
            corio::wait_for(corio::open_connection("127.0.0.1", stalled.port), 30ms));
        REQUIRE(timed_out);
        REQUIRE(corio_test::count_open_fds() == fds_before);  // the half-open socket is closed
        auto [a, b] = co_await connected_pair();
        a.write("ok");
        std::string got = co_await b.read_exactly(2);
        REQUIRE(got == "ok");
    }());
}
