// Re-entrant running (the nest_asyncio case): run_until_complete from a callback and from
// synchronous code inside a running coroutine, three deep with timers and tasks interleaving
// at every level; and corio::run twice in a row and on two threads at once.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "corio/corio.hpp"

using namespace std::chrono_literals;
using corio::Coro;
using corio::Task;

namespace {

using Log = std::vector<std::string>;

std::string at(corio::Loop& loop, corio::Loop::time_point t0) {
    return std::to_string((loop.time() - t0) / 1ms) + "ms";
}

// A background task: logs a tick every period, n times.
Coro<void> ticker(Log& log, std::string name, int n, std::chrono::milliseconds period,
                  corio::Loop::time_point t0) {
    corio::Loop& loop = corio::Loop::current();
    for (int i = 1; i <= n; ++i) {
        co_await corio::sleep(period);
        log.push_back(name + " " + std::to_string(i) + " @" + at(loop, t0));
    }
}

Coro<int> level(Log& log, int k, corio::Loop::time_point t0);

// Synchronous code, as a library that knows nothing of coroutines would be: it blocks on the
// loop that is already running (nest_asyncio's use case).
int blocking_call(Log& log, int k, corio::Loop::time_point t0) {
    return corio::Loop::current().run_until_complete(level(log, k, t0));
}

// Each level starts a background ticker, sleeps, calls the next level synchronously, then
// sleeps again: its own ticker and the outer levels' tickers must all advance meanwhile.
Coro<int> level(Log& log, int k, corio::Loop::time_point t0) {
    corio::Loop& loop = corio::Loop::current();
    std::string me = "L" + std::to_string(k);
    corio::create_task(
        ticker(log, "tick" + std::to_string(k), 4, std::chrono::milliseconds(3), t0));
    co_await corio::sleep(2ms);
    log.push_back(me + " enters @" + at(loop, t0));
    int inner = k < 3 ? blocking_call(log, k + 1, t0) : 0;
    log.push_back(me + " back @" + at(loop, t0));
    co_await corio::sleep(2ms);
    co_return k + inner;
}

Coro<void> idle(std::chrono::milliseconds d) { co_await corio::sleep(d); }

}  // namespace

TEST_CASE("run_until_complete nests three deep with timers and tasks at every level", "[nested]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    Log log;
    auto t0 = loop.time();
    REQUIRE(loop.run_until_complete(level(log, 1, t0)) == 6);
    // Levels start at 0, 2 and 4 ms and enter at 2, 4 and 6 ms; level 1 blocks in a nested run
    // from 2 to 10 ms, level 2 in a doubly nested one from 4 to 8 ms. Every ticker keeps its
    // 3 ms beat through all of it: tick1 (level 1's) fires inside the level-2 and level-3
    // runs, tick3 goes on after the level-3 run returned, and the levels resume in order.
    Log expected{
        "L1 enters @2ms", "tick1 1 @3ms",  "L2 enters @4ms", "tick2 1 @5ms",  "tick1 2 @6ms",
        "L3 enters @6ms", "L3 back @6ms",  "tick3 1 @7ms",   "tick2 2 @8ms",  "L2 back @8ms",
        "tick1 3 @9ms",   "tick3 2 @10ms", "L1 back @10ms",  "tick2 3 @11ms", "tick1 4 @12ms",
    };
    REQUIRE(log == expected);
    // The inner levels' tickers outlive the runs that started them and finish in the next one.
    loop.run_until_complete(idle(20ms));
    REQUIRE(Log(log.begin() + 15, log.end()) ==
            Log{"tick3 3 @13ms", "tick2 4 @14ms", "tick3 4 @16ms"});
}

TEST_CASE("run_until_complete from a callback keeps other tasks going and returns cleanly",
          "[nested]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    Log log;
    auto t0 = loop.time();
    int nested_result = 0;
    loop.call_soon([&] {
        auto inner = [](Log& log) -> Coro<int> {
            co_await corio::sleep(5ms);
            log.push_back("inner done");
            co_return 7;
        };
        nested_result = loop.run_until_complete(inner(log));
        log.push_back("callback returns @" + at(loop, t0));
    });
    auto outer = [&]() -> Coro<void> {
        co_await ticker(log, "outer", 3, 2ms, t0);
        log.push_back("outer done @" + at(loop, t0));
    };
    loop.run_until_complete(outer());
    REQUIRE(nested_result == 7);
    // The outer task was created after the callback was queued, so it only started once the
    // nested run began: every tick of it came from inside that run or after.
    REQUIRE(log == Log{"outer 1 @2ms", "outer 2 @4ms", "inner done", "callback returns @5ms",
                       "outer 3 @6ms", "outer done @6ms"});
}

TEST_CASE("an exception in a nested run reaches its synchronous caller; the outer run goes on",
          "[nested]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto fails = []() -> Coro<int> {
        co_await corio::sleep(1ms);
        throw std::invalid_argument("bad input");
    };
    auto outer = [&]() -> Coro<std::string> {
        std::string caught;
        try {
            loop.run_until_complete(fails());
        } catch (const std::invalid_argument& e) {
            caught = e.what();
        }
        co_await corio::sleep(1ms);
        co_return caught + ", then carried on";
    };
    REQUIRE(loop.run_until_complete(outer()) == "bad input, then carried on");
    REQUIRE_FALSE(loop.is_running());
}

TEST_CASE("corio::run inside a running loop is refused: that is what run_until_complete is for",
          "[nested]") {
    auto outer = []() -> Coro<bool> {
        try {
            corio::run(idle(1ms));
        } catch (const corio::Error&) {
            co_return true;
        }
        co_return false;
    };
    REQUIRE(corio::run(outer()));
}

TEST_CASE("corio::run works twice in a row and on two threads at once, one loop each", "[nested]") {
    // Each main waits, through the thread pool, until both are running: the two loops really
    // overlap, each with its own tasks, timers and pool.
    std::atomic<int> running{0};
    auto main = [](std::atomic<int>& running, int base) -> Coro<long> {
        corio::Loop* mine = &corio::Loop::current();
        ++running;
        bool overlapped = co_await corio::to_thread([&running] {
            auto until = std::chrono::steady_clock::now() + 20s;
            while (running.load() < 2 && std::chrono::steady_clock::now() < until) {
                std::this_thread::sleep_for(1ms);
            }
            return running.load() >= 2;
        });
        auto t = corio::create_task(idle(2ms));
        long sum = base;
        for (int i = 0; i < 5; ++i) {
            co_await corio::sleep(1ms);
            sum += i;
        }
        co_await t;
        co_return overlapped&& mine == &corio::Loop::current() ? sum : -1;
    };
    long a = 0, b = 0, again = 0;
    std::thread ta([&] { a = corio::run(main(running, 100)); });
    std::thread tb([&] {
        b = corio::run(main(running, 200));
        again = corio::run(main(running, 300));  // a second run on the same thread
    });
    ta.join();
    tb.join();
    REQUIRE(a == 110);
    REQUIRE(b == 210);
    REQUIRE(again == 310);
    REQUIRE(corio::Loop::running() == nullptr);
}
