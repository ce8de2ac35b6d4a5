// Cancellation: delivered as CancelledError at the innermost suspension point, travelling down
// chains of awaits and awaited tasks, catchable for cleanup that awaits, and leaving no timer.
#include <catch2/catch.hpp>
#include <chrono>
#include <exception>
#include <string>
#include <vector>

#include "corio/corio.hpp"

using namespace std::chrono_literals;
using corio::Coro;
using corio::Task;

namespace {

struct Guard {
    std::vector<std::string>& log;
    std::string name;
    ~Guard() { log.push_back("released " + name); }
};

Coro<void> sleeper(std::vector<std::string>& log, std::chrono::milliseconds d) {
    Guard g{log, "sleeper"};
    co_await corio::sleep(d);
    log.push_back("woke");
}

Coro<void> middle(std::vector<std::string>& log) {
    Guard g{log, "middle"};
    co_await sleeper(log, 1h);
    log.push_back("middle continued");
}

}  // namespace

TEST_CASE("cancelling a sleeping task throws CancelledError at its sleep and runs RAII guards",
          "[cancel][seed]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<std::string> log;
    auto t = loop.create_task(middle(log));
    auto main = [&]() -> Coro<std::string> {
        co_await corio::sleep(10ms);
        REQUIRE(t.cancel());
        try {
            co_await t;
        } catch (const corio::CancelledError&) {
            co_return "cancelled";
        }
        co_return "not cancelled";
    };
    auto t0 = loop.time();
    REQUIRE(loop.run_until_complete(main()) == "cancelled");
    REQUIRE(loop.time() - t0 == 10ms);  // the 1 h timer did not hold anything up
    REQUIRE(t.cancelled());
    REQUIRE_FALSE(t.cancel());
    REQUIRE(log == std::vector<std::string>{"released sleeper", "released middle"});
}

TEST_CASE("a task cancelled before it starts never runs its body", "[cancel]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    bool ran = false;
    auto body = [](bool& ran) -> Coro<void> {
        ran = true;
        co_return;
    };
    auto t = loop.create_task(body(ran));
    REQUIRE(t.cancel());
    REQUIRE_THROWS_AS(loop.run_until_complete(t), corio::CancelledError);
    REQUIRE_FALSE(ran);
    REQUIRE(t.cancelled());
}

TEST_CASE("cancelling a task that awaits another task cancels that one too", "[cancel]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<std::string> log;
    Task<void> inner = loop.create_task(sleeper(log, 1h));
    auto outer_fn = [](Task<void> inner) -> Coro<void> { co_await inner; };
    Task<void> outer = loop.create_task(outer_fn(inner));
    auto main = [&]() -> Coro<void> {
        co_await corio::sleep(1ms);
        outer.cancel();
        co_await corio::sleep(1ms);
    };
    loop.run_until_complete(main());
    REQUIRE(inner.cancelled());
    REQUIRE(outer.cancelled());
}

TEST_CASE("a cancelled task may catch, clean up with awaits, and rethrow", "[cancel]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<std::string> log;
    auto worker = [](std::vector<std::string>& log) -> Coro<int> {
        std::exception_ptr cancelled;
        try {
            co_await corio::sleep(1h);
        } catch (const corio::CancelledError&) {
            cancelled = std::current_exception();
        }
        log.push_back("cleanup start");
        co_await corio::sleep(5ms);  // a cancelled task can still await
        log.push_back("cleanup done");
        std::rethrow_exception(cancelled);
    };
    auto t = loop.create_task(worker(log));
    auto main = [&]() -> Coro<void> {
        co_await corio::sleep(1ms);
        t.cancel();
        try {
            co_await t;
        } catch (const corio::CancelledError&) {
            log.push_back("awaiter saw CancelledError");
        }
    };
    auto t0 = loop.time();
    loop.run_until_complete(main());
    REQUIRE(loop.time() - t0 == 6ms);
    REQUIRE(log == std::vector<std::string>{"cleanup start", "cleanup done",
                                            "awaiter saw CancelledError"});
    REQUIRE(t.cancelled());
}

TEST_CASE("a task that swallows the cancel and returns finishes normally", "[cancel]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto worker = []() -> Coro<int> {
        try {
            co_await corio::sleep(1h);
        } catch (const corio::CancelledError&) {
            co_return -1;
        }
        co_return 1;
    };
    auto t = loop.create_task(worker());
    loop.call_later(1ms, [t]() mutable { t.cancel(); });
    REQUIRE(loop.run_until_complete(t) == -1);
    REQUIRE_FALSE(t.cancelled());
}

TEST_CASE("a cancel requested while the task is runnable is delivered at its next await",
          "[cancel]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<std::string> log;
    Task<void> self;
    auto worker = [&]() -> Coro<void> {
        self.cancel();  // cancel ourselves while running: nothing happens until we suspend
        log.push_back("still running");
        try {
            co_await corio::sleep(0s);
        } catch (const corio::CancelledError&) {
            log.push_back("cancelled at yield");
            throw;
        }
    };
    self = loop.create_task(worker());
    REQUIRE_THROWS_AS(loop.run_until_complete(self), corio::CancelledError);
    REQUIRE(log == std::vector<std::string>{"still running", "cancelled at yield"});
}

TEST_CASE("a cancel that arrives after the sleep fired but before it resumed still lands",
          "[cancel]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    int resumed = 0;
    auto worker = [&]() -> Coro<void> {
        co_await corio::sleep(5ms);
        ++resumed;
    };
    auto t = loop.create_task(worker());
    // Both due at 5 ms; the callback is armed second so it runs after the sleep was woken.
    loop.call_later(5ms, [t]() mutable { t.cancel(); });
    REQUIRE_THROWS_AS(loop.run_until_complete(t), corio::CancelledError);
    REQUIRE(resumed == 0);
}

TEST_CASE("sleep(0) yields to the loop exactly once", "[cancel][time]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<int> order;
    auto a = [&]() -> Coro<void> {
        order.push_back(1);
        co_await corio::sleep(0s);
        order.push_back(3);
    };
    auto b = [&]() -> Coro<void> {
        order.push_back(2);
        co_return;
    };
    auto ta = loop.create_task(a());
    auto tb = loop.create_task(b());
    loop.run_until_complete(ta);
    REQUIRE(order == std::vector<int>{1, 2, 3});
}
