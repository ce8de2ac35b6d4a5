// The loop: call_soon ordering, timers through the wheel at every level, TimerHandle, stop and
// run_forever, the idle loop blocking instead of spinning, close(), the wake-up, and choosing
// the poller backend (LoopOptions::poller, CORIO_POLLER).
#include <sys/resource.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "corio/corio.hpp"

using namespace std::chrono_literals;
using corio::Coro;

namespace {

double cpu_seconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// A loop blocked for an hour is woken by call_soon_threadsafe from another thread.
bool woken_from_thread(corio::Loop& loop) {
    bool ran = false;
    auto timer = loop.call_later(1h, [] {});
    std::thread other([&] {
        std::this_thread::sleep_for(20ms);
        loop.call_soon_threadsafe([&] {
            ran = true;
            loop.stop();
        });
    });
    loop.run_forever();
    other.join();
    timer.cancel();
    return ran;
}

}  // namespace

TEST_CASE("call_soon callbacks run in the order they were scheduled", "[loop]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<int> order;
    for (int i = 0; i < 5; ++i) loop.call_soon([&order, i] { order.push_back(i); });
    loop.call_soon([&] { loop.stop(); });
    loop.run_forever();
    REQUIRE(order == std::vector<int>{0, 1, 2, 3, 4});
}

TEST_CASE("a callback scheduled by a callback runs in the next batch, after earlier ones",
          "[loop]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<std::string> order;
    loop.call_soon([&] {
        order.push_back("a");
        loop.call_soon([&] { order.push_back("c"); });
    });
    loop.call_soon([&] { order.push_back("b"); });
    loop.call_soon([&] { loop.call_soon([&] { loop.stop(); }); });
    loop.run_forever();
    REQUIRE(order == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("timers fire in deadline order across every wheel level, exactly on time", "[loop]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    const auto t0 = loop.time();
    std::vector<std::pair<std::string, corio::Loop::duration>> fired;
    auto arm = [&](std::string name, auto delay) {
        loop.call_later(delay, [&, name] { fired.emplace_back(name, loop.time() - t0); });
    };
    arm("60 days", std::chrono::hours(24 * 60));
    arm("1 h", 1h);
    arm("1 ms", 1ms);
    arm("10 days", std::chrono::hours(24 * 10));
    arm("300 ms", 300ms);
    arm("1000 days", std::chrono::hours(24 * 1000));  // beyond the top level: overflow list
    loop.call_later(std::chrono::hours(24 * 1001), [&] { loop.stop(); });
    loop.run_forever();
    using std::chrono::hours;
    using D = corio::Loop::duration;
    REQUIRE(fired == std::vector<std::pair<std::string, D>>{
                         {"1 ms", 1ms},
                         {"300 ms", 300ms},
                         {"1 h", 1h},
                         {"10 days", hours(24 * 10)},
                         {"60 days", hours(24 * 60)},
                         {"1000 days", hours(24 * 1000)},
                     });
}

TEST_CASE("timers due at the same time fire in the order they were armed", "[loop]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<int> order;
    auto when = loop.time() + 5ms;
    for (int i = 0; i < 4; ++i) loop.call_at(when, [&order, i] { order.push_back(i); });
    loop.call_at(when - 1us, [&order] { order.push_back(-1); });
    loop.call_at(when + 1ms, [&] { loop.stop(); });
    loop.run_forever();
    REQUIRE(order == std::vector<int>{-1, 0, 1, 2, 3});
}

TEST_CASE("a cancelled timer never fires, and cancel is idempotent", "[loop]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    int fired = 0;
    std::vector<corio::TimerHandle> handles;
    for (auto d : {1ms, 300ms, 3600000ms, 864000000ms}) {
        handles.push_back(loop.call_later(d, [&] { ++fired; }));
    }
    int kept = 0;
    loop.call_later(2ms, [&] { ++kept; });  // a handle we drop: dropping does not cancel
    for (auto& h : handles) {
        h.cancel();
        h.cancel();
        REQUIRE(h.cancelled());
    }
    loop.call_later(std::chrono::hours(24 * 20), [&] { loop.stop(); });
    loop.run_forever();
    REQUIRE(fired == 0);
    REQUIRE(kept == 1);
}

TEST_CASE("a negative delay counts as zero and call_at in the past fires at once", "[loop]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<int> order;
    auto t0 = loop.time();
    loop.call_later(-5s, [&] { order.push_back(1); });
    loop.call_at(t0 - 1h, [&] { order.push_back(2); });
    loop.call_later(0ms, [&] { loop.stop(); });
    loop.run_forever();
    REQUIRE(order == std::vector<int>{2, 1});  // deadline order: t0 - 1 h before t0
    REQUIRE(loop.time() == t0);
}

TEST_CASE("a task that arms many timers between yields lets the due ones fire at its next yield",
          "[loop]") {
    // The loop polls (and expires timers) only every 64 ready items while work is ready; arming
    // a timer counts as one, or a task arming 1,000 timers a step would hold due timers back
    // for 64 steps (the timer lateness bursts of issue 16). With the manual clock a deadline of
    // `now` is due at the next poll.
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    int steps = 0;
    int fired_at_step = -1;
    loop.run_until_complete([&]() -> Coro<void> {
        loop.call_at(loop.time(), [&] { fired_at_step = steps; });
        for (steps = 0; steps < 100 && fired_at_step < 0; ++steps) {
            for (int i = 0; i < 1000; ++i) loop.call_later(1h, [] {}).cancel();
            co_await corio::sleep(0ms);
        }
    }());
    REQUIRE(fired_at_step == 1);

    // Yields alone still keep the 64-item rule: a due timer waits at most that many.
    int yields = 0;
    fired_at_step = -1;
    loop.run_until_complete([&]() -> Coro<void> {
        loop.call_at(loop.time(), [&] { fired_at_step = yields; });
        for (yields = 0; yields < 1000 && fired_at_step < 0; ++yields) co_await corio::sleep(0ms);
    }());
    REQUIRE(fired_at_step > 0);
    REQUIRE(fired_at_step <= 64);
}

TEST_CASE("an idle loop blocks in the poller until its timer instead of spinning", "[loop]") {
    corio::Loop loop;  // real clock
    double cpu0 = cpu_seconds();
    auto t0 = std::chrono::steady_clock::now();
    loop.run_until_complete([]() -> Coro<void> { co_await corio::sleep(300ms); }());
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double cpu = cpu_seconds() - cpu0;
    REQUIRE(wall >= 0.3);
    REQUIRE(wall < 5.0);
    REQUIRE(cpu < 0.1);  // a spinning loop would burn ~0.3 s of CPU here
}

TEST_CASE("call_soon_threadsafe from another thread wakes a loop blocked in the poller", "[loop]") {
    corio::Loop loop;  // real clock; nothing else would wake it for an hour
    REQUIRE(woken_from_thread(loop));
}

TEST_CASE("stop() makes run_until_complete throw when the task is not done", "[loop]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    loop.call_later(1ms, [&] { loop.stop(); });
    auto t = loop.create_task([]() -> Coro<int> {
        co_await corio::sleep(1h);
        co_return 1;
    }());
    REQUIRE_THROWS_AS(loop.run_until_complete(t), corio::Error);
    REQUIRE_FALSE(t.done());
    REQUIRE(loop.run_until_complete(t) == 1);  // the loop can be run again
}

TEST_CASE("a loop can run_until_complete many times and is closed by its destructor", "[loop]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    for (int i = 0; i < 3; ++i) {
        REQUIRE(loop.run_until_complete([](int i) -> Coro<int> {
            co_await corio::sleep(1ms);
            co_return i;
        }(i)) == i);
    }
    REQUIRE_FALSE(loop.is_closed());
    loop.close();
    REQUIRE(loop.is_closed());
    loop.close();
    REQUIRE_THROWS_AS(loop.run_until_complete([]() -> Coro<void> { co_return; }()), corio::Error);
}

TEST_CASE("an exception thrown by a callback is reported and the loop goes on", "[loop]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    bool after = false;
    loop.call_soon([] { throw std::runtime_error("callback failed"); });
    loop.call_soon([&] {
        after = true;
        loop.stop();
    });
    loop.run_forever();
    REQUIRE(after);
}

TEST_CASE("Loop::current is the running loop, and only while it runs", "[loop]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    REQUIRE(corio::Loop::running() == nullptr);
    corio::Loop* seen = nullptr;
    loop.run_until_complete([](corio::Loop*& seen) -> Coro<void> {
        seen = &corio::Loop::current();
        co_return;
    }(seen));
    REQUIRE(seen == &loop);
    REQUIRE(corio::Loop::running() == nullptr);
}

namespace {

// Sets an environment variable for one scope and puts the old value back.
struct ScopedEnv {
    std::string name;
    std::optional<std::string> old;
    ScopedEnv(const char* n, const char* value) : name(n) {
        if (const char* v = std::getenv(n)) old = v;
        if (value) {
            setenv(n, value, 1);
        } else {
            unsetenv(n);
        }
    }
    ~ScopedEnv() {
        if (old) {
            setenv(name.c_str(), old->c_str(), 1);
        } else {
            unsetenv(name.c_str());
        }
    }
};

// A timer and a thread-pool job, each needing the poller to block and be woken.
Coro<int> poller_workout() {
    co_await corio::sleep(5ms);
    int from_thread = co_await corio::to_thread([] { return 20; });
    co_return from_thread + 1;
}

}  // namespace

TEST_CASE("LoopOptions::poller picks the backend, and each built one runs a loop", "[loop]") {
    for (auto kind :
         {corio::PollerKind::Epoll, corio::PollerKind::Kqueue, corio::PollerKind::Poll}) {
        const char* name = kind == corio::PollerKind::Epoll    ? "epoll"
                           : kind == corio::PollerKind::Kqueue ? "kqueue"
                                                               : "poll";
        bool built = true;
        try {
            corio::Loop probe({.poller = kind});
        } catch (const corio::Error& e) {
            built = false;
            REQUIRE_THAT(e.what(), Catch::Contains("not built"));
        }
        if (!built) continue;
        INFO(name);
        corio::Loop loop({.poller = kind});
        REQUIRE(std::string(loop.poller_name()) == name);
        REQUIRE(loop.run_until_complete(poller_workout()) == 21);
        REQUIRE(woken_from_thread(loop));
        loop.close();
        REQUIRE(std::string(loop.poller_name()).empty());
    }
    // poll(2) is in every build.
    corio::Loop poll_loop({.poller = corio::PollerKind::Poll});
    REQUIRE(std::string(poll_loop.poller_name()) == "poll");
}

TEST_CASE("CORIO_POLLER chooses the backend of a default loop; an explicit option wins", "[loop]") {
    {
        ScopedEnv env("CORIO_POLLER", "poll");
        corio::Loop loop;
        REQUIRE(std::string(loop.poller_name()) == "poll");
        REQUIRE(corio::run([]() -> Coro<std::string> {
                    co_return corio::Loop::current().poller_name();
                }()) == "poll");
    }
    {
        ScopedEnv env("CORIO_POLLER", "poll");
        corio::Loop loop({.poller = corio::PollerKind::Poll});
        REQUIRE(std::string(loop.poller_name()) == "poll");
    }
    {
        ScopedEnv env("CORIO_POLLER", nullptr);
        corio::Loop loop;
        REQUIRE(std::string(loop.poller_name()) != "");
    }
}

TEST_CASE("a CORIO_POLLER that names no backend is a clear error", "[loop]") {
    ScopedEnv env("CORIO_POLLER", "select");
    try {
        corio::Loop loop;
        FAIL("the loop was made");
    } catch (const corio::Error& e) {
        REQUIRE_THAT(e.what(), Catch::Contains("CORIO_POLLER=select") && Catch::Contains("poll"));
    }
}
