// wait_for, timeout and shield: expiry cancels the work and waits for its cleanup, results in
// the same tick as the deadline win, outside cancels stay cancels, nesting, and shielding.
#include <catch2/catch.hpp>
#include <chrono>
#include <exception>
#include <string>
#include <vector>

#include "corio/corio.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using corio::Coro;
using corio::Task;
using corio_test::after;

namespace {

Coro<int> ready(int v) { co_return v; }

struct Guard {
    std::vector<std::string>& log;
    ~Guard() { log.push_back("guard released"); }
};

// sleep_or_clean_up under an RAII guard, logged as "work".
Coro<int> work(std::chrono::milliseconds d, std::chrono::milliseconds cleanup,
               std::vector<std::string>& log) {
    Guard g{log};
    co_return co_await corio_test::sleep_or_clean_up(d, cleanup, log, "work");
}

// "timeout" or "value", for tests that cancel the task awaiting the deadline.
Coro<std::string> timed(Coro<int> w, std::chrono::milliseconds d) {
    try {
        co_await corio::wait_for(std::move(w), d);
    } catch (const corio::TimeoutError&) {
        co_return "timeout";
    }
    co_return "value";
}

}  // namespace

TEST_CASE("wait_for returns the result of work that finishes in time", "[timeout]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto t0 = loop.time();
    auto main = []() -> Coro<int> {
        int a = co_await corio::wait_for(after(2s, 5), 3s);
        int b = co_await corio::timeout(1s, after(10ms, 6));
        co_return a + b;
    };
    REQUIRE(loop.run_until_complete(main()) == 11);
    REQUIRE(loop.time() - t0 == 2010ms);
}

TEST_CASE("wait_for(work, 3 s) on 5 s of work throws TimeoutError at 3 s after the cleanup ran",
          "[timeout][seed]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<std::string> log;
    auto t0 = loop.time();
    corio::Loop::time_point thrown_at{};
    auto main = [&]() -> Coro<std::string> {
        try {
            co_await corio::wait_for(work(5s, 0ms, log), 3s);
        } catch (const corio::TimeoutError&) {
            thrown_at = loop.time();
            co_return "timed out";
        }
        co_return "finished";
    };
    REQUIRE(loop.run_until_complete(main()) == "timed out");
    REQUIRE(thrown_at - t0 == 3s);
    REQUIRE(log == std::vector<std::string>{"work cleaned up", "guard released"});
}

TEST_CASE("the work's cleanup runs to the end before TimeoutError is thrown", "[timeout]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<std::string> log;
    auto t0 = loop.time();
    auto main = [&]() -> Coro<void> {
        try {
            co_await corio::wait_for(work(1h, 250ms, log), 1s);
        } catch (const corio::TimeoutError&) {
            log.push_back("TimeoutError");
        }
    };
    loop.run_until_complete(main());
    REQUIRE(loop.time() - t0 == 1250ms);
    REQUIRE(log == std::vector<std::string>{"work cleaned up", "guard released", "TimeoutError"});
}

TEST_CASE("a result that arrives in the same tick as the deadline is returned", "[timeout]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    SECTION("the work's timer was armed after the deadline's") {
        auto main = []() -> Coro<int> { co_return co_await corio::wait_for(after(3s, 7), 3s); };
        REQUIRE(loop.run_until_complete(main()) == 7);
    }
    SECTION("the event waking the work was armed before the deadline") {
        corio::Event ev;
        loop.call_later(3s, [&] { ev.set(); });
        auto waiter = [](corio::Event& ev) -> Coro<int> {
            co_await ev.wait();
            co_return 8;
        };
        auto main = [&]() -> Coro<int> { co_return co_await corio::wait_for(waiter(ev), 3s); };
        REQUIRE(loop.run_until_complete(main()) == 8);
    }
    SECTION("the wake-up is still queued when a busy loop polls again") {
        // 100 tasks become ready at the deadline too, so the loop polls again (every 64 ready
        // items) before the woken work resumes: the deadline must see it is no longer parked.
        auto busy = []() -> Coro<void> {
            co_await corio::sleep(3s);
            for (int i = 0; i < 3; ++i) co_await corio::sleep(0s);
        };
        std::vector<Task<void>> crowd;
        for (int i = 0; i < 100; ++i) crowd.push_back(loop.create_task(busy()));
        corio::Event ev;
        loop.call_later(3s, [&] { ev.set(); });
        auto waiter = [](corio::Event& ev) -> Coro<int> {
            co_await ev.wait();
            co_return 10;
        };
        auto main = [&]() -> Coro<int> { co_return co_await corio::wait_for(waiter(ev), 3s); };
        REQUIRE(loop.run_until_complete(main()) == 10);
    }
    SECTION("a task that finishes at the deadline") {
        auto main = []() -> Coro<int> {
            Task<int> t = corio::create_task(after(3s, 9));
            co_return co_await corio::wait_for(t, 3s);
        };
        REQUIRE(loop.run_until_complete(main()) == 9);
    }
    SECTION("a task that finishes at the deadline while a busy loop polls again") {
        auto busy = []() -> Coro<void> {
            co_await corio::sleep(3s);
            for (int i = 0; i < 3; ++i) co_await corio::sleep(0s);
        };
        std::vector<Task<void>> crowd;
        for (int i = 0; i < 100; ++i) crowd.push_back(loop.create_task(busy()));
        auto main = []() -> Coro<int> {
            Task<int> t = corio::create_task(after(3s, 11));
            co_return co_await corio::wait_for(t, 3s);
        };
        REQUIRE(loop.run_until_complete(main()) == 11);
    }
}

TEST_CASE("wait_for on an already finished task returns at once", "[timeout]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = []() -> Coro<int> {
        Task<int> t = corio::create_task(after(1ms, 4));
        co_await t;
        auto t0 = corio::Loop::current().time();
        int a = co_await corio::wait_for(t, 0s);
        int b = co_await corio::wait_for(ready(5), 0s);  // ready work beats even a zero timeout
        REQUIRE(corio::Loop::current().time() == t0);
        co_return a + b;
    };
    REQUIRE(loop.run_until_complete(main()) == 9);
}

TEST_CASE("wait_for on a task cancels the task at expiry and waits for its cleanup", "[timeout]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<std::string> log;
    Task<int> t;
    auto main = [&]() -> Coro<void> {
        t = corio::create_task(work(1h, 5ms, log));
        REQUIRE_THROWS_AS(co_await corio::wait_for(t, 10ms), corio::TimeoutError);
        log.push_back("timed out");
    };
    loop.run_until_complete(main());
    REQUIRE(t.cancelled());
    REQUIRE(log.back() == "timed out");
    REQUIRE(log[0] == "work cleaned up");
}

TEST_CASE("cancelling the task that awaits wait_for gives CancelledError, not TimeoutError",
          "[timeout]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<std::string> log;
    Task<std::string> t = loop.create_task(timed(work(1h, 1ms, log), 1s));
    loop.call_later(10ms, [t]() mutable { t.cancel(); });
    REQUIRE_THROWS_AS(loop.run_until_complete(t), corio::CancelledError);
    REQUIRE(log == std::vector<std::string>{"work cleaned up", "guard released"});
}

TEST_CASE("a cancel from outside during the cleanup after expiry stays a CancelledError",
          "[timeout]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<std::string> log;
    Task<std::string> t = loop.create_task(timed(work(1h, 50ms, log), 1s));
    loop.call_later(1020ms, [t]() mutable { t.cancel(); });  // during the 50 ms cleanup
    REQUIRE_THROWS_AS(loop.run_until_complete(t), corio::CancelledError);
    REQUIRE(t.cancelled());
}

TEST_CASE("nested deadlines: the inner one expiring does not confuse the outer one", "[timeout]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto t0 = loop.time();
    std::vector<std::string> log;
    auto body = [&]() -> Coro<int> {
        try {
            co_await corio::wait_for(after(5s, 1), 1s);
        } catch (const corio::TimeoutError&) {
            log.push_back("inner timed out");
        }
        co_return co_await after(1h, 2);
    };
    auto main = [&]() -> Coro<void> {
        try {
            co_await corio::wait_for(body(), 10s);
        } catch (const corio::TimeoutError&) {
            log.push_back("outer timed out");
        }
    };
    loop.run_until_complete(main());
    REQUIRE(log == std::vector<std::string>{"inner timed out", "outer timed out"});
    REQUIRE(loop.time() - t0 == 10s);
}

TEST_CASE("wait_for around a gather cancels and awaits every child at expiry", "[timeout]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<std::string> log;
    auto main = [&]() -> Coro<void> {
        REQUIRE_THROWS_AS(
            co_await corio::wait_for(corio::gather(work(1h, 2ms, log), work(2h, 3ms, log)), 1s),
            corio::TimeoutError);
    };
    loop.run_until_complete(main());
    REQUIRE(std::count(log.begin(), log.end(), "work cleaned up") == 2);
    REQUIRE(loop.pending_tasks() == 0);
}

TEST_CASE("a timed-out work that swallows the cancel and returns gives its value", "[timeout]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto stubborn = []() -> Coro<int> {
        try {
            co_await corio::sleep(1h);
        } catch (const corio::CancelledError&) {
            co_return -1;
        }
        co_return 1;
    };
    auto main = [&]() -> Coro<int> { co_return co_await corio::wait_for(stubborn(), 1s); };
    REQUIRE(loop.run_until_complete(main()) == -1);
}

TEST_CASE("shield: cancelling the awaiter does not cancel the task", "[timeout][shield]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = []() -> Coro<int> {
        Task<int> precious = corio::create_task(after(50ms, 42));
        auto impatient = [](Task<int> t) -> Coro<int> { co_return co_await corio::shield(t); };
        Task<int> waiter = corio::create_task(impatient(precious));
        co_await corio::sleep(10ms);
        waiter.cancel();
        REQUIRE_THROWS_AS(co_await waiter, corio::CancelledError);
        REQUIRE_FALSE(precious.done());
        int v = co_await precious;  // still running, finishes normally
        // And shield lets a result through when nobody cancels.
        int w = co_await corio::shield(corio::create_task(after(1ms, 1)));
        co_return v + w;
    };
    REQUIRE(loop.run_until_complete(main()) == 43);
}

TEST_CASE("shield inside wait_for: the deadline stops the wait, not the task",
          "[timeout][shield]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = []() -> Coro<int> {
        Task<int> t = corio::create_task(after(5s, 3));
        REQUIRE_THROWS_AS(co_await corio::wait_for(corio::shield(t), 1s), corio::TimeoutError);
        REQUIRE_FALSE(t.cancelled());
        co_return co_await t;
    };
    REQUIRE(loop.run_until_complete(main()) == 3);
}
