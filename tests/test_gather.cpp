// gather and gather_settled: argument order, the first exception cancelling and awaiting the
// siblings, cancelling the gather, Task arguments, vectors, and Outcome.
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include "corio/corio.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using corio::Coro;
using corio::Task;
using corio_test::after;
using corio_test::fail_after;
using corio_test::sleep_or_clean_up;

namespace {

Coro<std::string> text_after(std::chrono::milliseconds d, std::string s) {
    co_await corio::sleep(d);
    co_return s;
}

}  // namespace

TEST_CASE("gather returns results in argument order whatever the completion order",
          "[gather][seed]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto t0 = loop.time();
    auto main = []() -> Coro<std::tuple<int, std::string, int>> {
        co_return co_await corio::gather(after(30ms, 1), text_after(20ms, "two"), after(10ms, 3));
    };
    auto [a, b, c] = loop.run_until_complete(main());
    REQUIRE(a == 1);
    REQUIRE(b == "two");
    REQUIRE(c == 3);
    REQUIRE(loop.time() - t0 == 30ms);  // concurrent: the longest, not the sum
}

TEST_CASE("gather maps void results to std::monostate and mixes Coro and Task", "[gather]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = []() -> Coro<int> {
        Task<int> t = corio::create_task(after(5ms, 40));
        auto nothing = []() -> Coro<void> { co_await corio::sleep(1ms); };
        auto r = co_await corio::gather(t, nothing(), after(2ms, 2));
        static_assert(std::is_same_v<decltype(r), std::tuple<int, std::monostate, int>>);
        // The Task argument is still usable: its result was copied, not moved out.
        co_return std::get<0>(r) + std::get<2>(r) + co_await t;
    };
    REQUIRE(loop.run_until_complete(main()) == 82);
}

TEST_CASE("gather of nothing and of tasks already done returns at once", "[gather]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = []() -> Coro<int> {
        auto empty = co_await corio::gather();
        static_assert(std::tuple_size_v<decltype(empty)> == 0);
        Task<int> t = corio::create_task(after(1ms, 7));
        co_await t;
        auto [v] = co_await corio::gather(t);
        auto none = co_await corio::gather(std::vector<Coro<int>>{});
        co_return v + static_cast<int>(none.size());
    };
    REQUIRE(loop.run_until_complete(main()) == 7);
}

TEST_CASE("gather cancels the siblings at the first exception, awaits them, then rethrows it",
          "[gather]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<std::string> log;
    auto t0 = loop.time();
    auto main = [&]() -> Coro<std::string> {
        try {
            co_await corio::gather(sleep_or_clean_up(1h, 1ms, log, "a"), fail_after(10ms, "first"),
                                   fail_after(20ms, "second"),
                                   sleep_or_clean_up(5ms, 1ms, log, "b"));
        } catch (const std::runtime_error& e) {
            log.push_back(std::string("caught ") + e.what());
            co_return e.what();
        }
        co_return "nothing thrown";
    };
    REQUIRE(loop.run_until_complete(main()) == "first");
    // b finished before the failure; a was cancelled and its cleanup (1 ms) ran before the
    // gather rethrew; the 20 ms sibling was cancelled before it could fail.
    REQUIRE(log == std::vector<std::string>{"b finished", "a cleaned up", "caught first"});
    REQUIRE(loop.time() - t0 == 11ms);
    REQUIRE(loop.pending_tasks() == 0);
}

TEST_CASE("gather of a vector cancels the rest when one fails, including Task arguments",
          "[gather]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<Task<void>> tasks;
    auto main = [&]() -> Coro<void> {
        auto forever = []() -> Coro<void> { co_await corio::sleep(1h); };
        tasks.push_back(corio::create_task(forever()));
        tasks.push_back(corio::create_task(fail_after(3ms, "boom")));
        tasks.push_back(corio::create_task(forever()));
        co_await corio::gather(tasks);
    };
    REQUIRE_THROWS_WITH(loop.run_until_complete(main()), "boom");
    REQUIRE(tasks[0].cancelled());
    REQUIRE(tasks[2].cancelled());
    REQUIRE_FALSE(tasks[1].cancelled());
}

TEST_CASE("cancelling a gather cancels every child and waits for their cleanup", "[gather]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<std::string> log;
    auto gathering = [&]() -> Coro<void> {
        co_await corio::gather(sleep_or_clean_up(1h, 1ms, log, "a"),
                               sleep_or_clean_up(2h, 1ms, log, "b"));
    };
    Task<void> g = loop.create_task(gathering());
    auto main = [&]() -> Coro<void> {
        co_await corio::sleep(5ms);
        g.cancel();
        try {
            co_await g;
        } catch (const corio::CancelledError&) {
            log.push_back("gather cancelled");
        }
    };
    loop.run_until_complete(main());
    REQUIRE(log == std::vector<std::string>{"a cleaned up", "b cleaned up", "gather cancelled"});
    REQUIRE(g.cancelled());
    REQUIRE(loop.pending_tasks() == 0);
}

TEST_CASE("a child cancelled from outside makes gather throw CancelledError", "[gather]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = []() -> Coro<int> {
        Task<int> victim = corio::create_task(after(1h, 1));
        corio::Loop::current().call_later(2ms, [victim]() mutable { victim.cancel(); });
        try {
            co_await corio::gather(victim, after(1h, 2));
        } catch (const corio::CancelledError&) {
            co_return 1;
        }
        co_return 0;
    };
    REQUIRE(loop.run_until_complete(main()) == 1);
    REQUIRE(loop.pending_tasks() == 0);
}

TEST_CASE("gather_settled never throws a child's exception: each result is an Outcome",
          "[gather]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = []() -> Coro<void> {
        auto [a, b, c] = co_await corio::gather_settled(after(3ms, 1), fail_after(1ms, "bad"),
                                                        text_after(2ms, "ok"));
        REQUIRE(a.has_value());
        REQUIRE(a.value() == 1);
        REQUIRE(a.error() == nullptr);
        REQUIRE_FALSE(b);
        REQUIRE(b.error() != nullptr);
        REQUIRE_THROWS_WITH(b.value(), "bad");
        REQUIRE(c.value() == "ok");  // the failure did not cancel the others

        std::vector<Coro<int>> coros;
        for (int i = 0; i < 4; ++i) coros.push_back(after(std::chrono::milliseconds(4 - i), i));
        std::vector<corio::Outcome<int>> all = co_await corio::gather_settled(std::move(coros));
        REQUIRE(all.size() == 4);
        for (int i = 0; i < 4; ++i) REQUIRE(all[i].value() == i);
    };
    loop.run_until_complete(main());
}

TEST_CASE("gather moves move-only results out of the tasks it made", "[gather]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto make = [](int v) -> Coro<std::unique_ptr<int>> {
        co_await corio::sleep(1ms);
        co_return std::make_unique<int>(v);
    };
    auto main = [&]() -> Coro<int> {
        std::vector<Coro<std::unique_ptr<int>>> coros;
        coros.push_back(make(1));
        coros.push_back(make(2));
        auto ptrs = co_await corio::gather(std::move(coros));
        auto [p3] = co_await corio::gather(make(3));
        co_return *ptrs[0] + *ptrs[1] + *p3;
    };
    REQUIRE(loop.run_until_complete(main()) == 6);
}

TEST_CASE("a Coro passed to gather does not start before the gather is awaited", "[gather]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    bool started = false;
    auto body = [](bool& s) -> Coro<int> {
        s = true;
        co_return 1;
    };
    auto main = [&]() -> Coro<int> {
        auto g = corio::gather(body(started));
        co_await corio::sleep(1ms);
        REQUIRE_FALSE(started);
        auto [v] = co_await std::move(g);
        co_return v;
    };
    REQUIRE(loop.run_until_complete(main()) == 1);
    REQUIRE(started);
}

TEST_CASE("gather of 10,000 children completes with every result in place", "[gather]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = []() -> Coro<long> {
        std::vector<Coro<int>> coros;
        for (int i = 0; i < 10'000; ++i)
            coros.push_back(after(std::chrono::milliseconds(i % 7), i));
        std::vector<int> r = co_await corio::gather(std::move(coros));
        long sum = 0;
        for (int i = 0; i < 10'000; ++i) {
            if (r[i] != i) co_return -1;
            sum += r[i];
        }
        co_return sum;
    };
    REQUIRE(loop.run_until_complete(main()) == 49'995'000L);
}
