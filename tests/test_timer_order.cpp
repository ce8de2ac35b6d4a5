// The loop's promise about timers that share a deadline: they fire in the order they were
// scheduled (call_at, call_later and sleep alike), wherever in the wheel they waited and
// however many timers around them were cancelled. Driven by a ManualClock, so every deadline
// is exact and nothing depends on the machine's speed.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "corio/clock.hpp"
#include "corio/loop.hpp"
#include "corio/task.hpp"
#include "corio/time.hpp"

using namespace std::chrono_literals;

namespace {

struct Fixture {
    corio::ManualClock clock;
    corio::Loop loop{corio::LoopOptions{&clock}};
    std::vector<int> fired;

    // Runs the loop until `until` on the loop clock has passed (the clock jumps when idle).
    void run_until(corio::Loop::time_point until) {
        loop.run_until_complete(sleep_for(until - loop.time()));
    }
    static corio::Coro<void> sleep_for(corio::Loop::duration d) { co_await corio::sleep(d); }
};

std::vector<int> iota(int n) {
    std::vector<int> v;
    for (int i = 0; i < n; ++i) v.push_back(i);
    return v;
}

}  // namespace

TEST_CASE("call_at callbacks with one deadline fire in the order they were scheduled",
          "[timer_order]") {
    // Near (level 0), a few seconds (level 1), minutes and hours ahead (cascaded more than
    // once before firing).
    for (auto ahead : {0ns, 1ns, 1000000ns, 5000000000ns, 300000000000ns, 20000000000000ns}) {
        Fixture f;
        auto when = f.loop.time() + ahead;
        for (int i = 0; i < 300; ++i) f.loop.call_at(when, [&f, i] { f.fired.push_back(i); });
        f.run_until(when + 1ms);
        INFO("deadline " << ahead.count() << " ns ahead");
        REQUIRE(f.fired == iota(300));
    }
}

TEST_CASE("a deadline already past keeps the scheduling order too", "[timer_order]") {
    Fixture f;
    auto past = f.loop.time() - 1s;
    for (int i = 0; i < 50; ++i) f.loop.call_at(past, [&f, i] { f.fired.push_back(i); });
    f.run_until(f.loop.time() + 1ms);
    REQUIRE(f.fired == iota(50));
}

TEST_CASE("call_later with the same delay at the same instant keeps the order", "[timer_order]") {
    Fixture f;
    for (int i = 0; i < 200; ++i) f.loop.call_later(7ms, [&f, i] { f.fired.push_back(i); });
    f.run_until(f.loop.time() + 8ms);
    REQUIRE(f.fired == iota(200));
}

TEST_CASE("timers scheduled later for the same deadline come after, interleaved with others",
          "[timer_order]") {
    // Two deadlines A < B, scheduled alternately and from inside callbacks: each deadline's
    // timers keep their own scheduling order, and every A fires before any B.
    Fixture f;
    auto a = f.loop.time() + 4200ms;  // beyond level 0 at first
    auto b = a + 1ns;
    std::vector<int> at_a;
    std::vector<int> at_b;
    for (int i = 0; i < 100; ++i) {
        f.loop.call_at(b, [&, i] { at_b.push_back(i); });
        f.loop.call_at(a, [&, i] { at_a.push_back(i); });
    }
    // Added once the first ones have moved closer (after a cascade), same deadlines.
    f.loop.call_at(a - 100ms, [&] {
        for (int i = 100; i < 150; ++i) {
            f.loop.call_at(b, [&, i] { at_b.push_back(i); });
            f.loop.call_at(a, [&, i] {
                at_a.push_back(i);
                REQUIRE(at_b.empty());
            });
        }
    });
    f.run_until(b + 1ms);
    REQUIRE(at_a == iota(150));
    REQUIRE(at_b == iota(150));
}

TEST_CASE("cancelling some timers leaves the others of the deadline in order", "[timer_order]") {
    Fixture f;
    auto when = f.loop.time() + 30ms;
    std::vector<corio::TimerHandle> handles;
    for (int i = 0; i < 100; ++i) {
        handles.push_back(f.loop.call_at(when, [&f, i] { f.fired.push_back(i); }));
    }
    std::vector<int> expected;
    for (int i = 0; i < 100; ++i) {
        if (i % 3 == 1) {
            handles[i].cancel();
        } else {
            expected.push_back(i);
        }
    }
    f.run_until(when + 1ms);
    REQUIRE(f.fired == expected);
}

TEST_CASE("sleeps that end at the same instant resume in the order they began", "[timer_order]") {
    Fixture f;
    auto sleeper = [&f](int i) -> corio::Coro<void> {
        co_await corio::sleep(25ms);
        f.fired.push_back(i);
    };
    auto main = [&]() -> corio::Coro<void> {
        std::vector<corio::Task<void>> tasks;
        // The tasks start in creation order in one iteration, at one clock reading.
        for (int i = 0; i < 100; ++i) tasks.push_back(corio::create_task(sleeper(i)));
        for (auto& t : tasks) co_await t;
    };
    f.loop.run_until_complete(main());
    REQUIRE(f.fired == iota(100));
}

TEST_CASE("a sleep and call_at callbacks sharing a deadline fire in scheduling order",
          "[timer_order]") {
    Fixture f;
    std::vector<std::string> log;
    auto main = [&]() -> corio::Coro<void> {
        auto when = f.loop.time() + 10ms;
        f.loop.call_at(when, [&] { log.push_back("first"); });
        auto late = [&]() { log.push_back("third"); };
        f.loop.call_soon([&, when, late] { f.loop.call_at(when, late); });
        co_await corio::sleep(10ms);  // armed now: after "first", before "third"
        log.push_back("second");
    };
    f.loop.run_until_complete(main());
    f.run_until(f.loop.time() + 1ms);
    // Both timers hand their work to the ready queue as they fire, so the log shows the order
    // in which the two timers fired.
    REQUIRE(log == std::vector<std::string>{"first", "second", "third"});
}
