// run_in_executor and to_thread: results and exceptions (type kept) come back to the loop
// thread, the loop keeps serving other tasks meanwhile, cancellation stops the wait at once and
// drops the late result safely, a manual clock holds still while a job runs, and a closing loop
// waits for its stragglers. Real threads, real clock unless the manual clock is the point.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "corio/corio.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using corio::Coro;
using corio::Task;
using corio_test::Gate;

namespace {

struct HttpError : std::runtime_error {
    int status;
    explicit HttpError(int s) : std::runtime_error("http error"), status(s) {}
};

// Counts live instances, to see late results freed.
struct Tracked {
    static inline std::atomic<int> live{0};
    static inline std::atomic<int> made{0};
    int v;
    explicit Tracked(int x) : v(x) {
        ++live;
        ++made;
    }
    Tracked(const Tracked& o) : v(o.v) { ++live; }
    Tracked(Tracked&& o) noexcept : v(o.v) { ++live; }
    ~Tracked() { --live; }
};

}  // namespace

TEST_CASE("to_thread runs f on another thread and returns its result", "[thread]") {
    auto main = []() -> Coro<bool> {
        auto loop_thread = std::this_thread::get_id();
        auto worker = co_await corio::to_thread([] { return std::this_thread::get_id(); });
        int sum = co_await corio::to_thread([](int a, int b) { return a + b; }, 40, 2);
        co_return worker != loop_thread&& sum == 42;
    };
    REQUIRE(corio::run(main()));
}

TEST_CASE("to_thread takes move-only arguments and returns move-only and void results",
          "[thread]") {
    auto main = []() -> Coro<int> {
        auto p = std::make_unique<int>(5);
        std::unique_ptr<int> back = co_await corio::to_thread(
            [](std::unique_ptr<int> q) {
                *q += 1;
                return q;
            },
            std::move(p));
        int touched = 0;
        co_await corio::to_thread([&touched] { touched = *std::make_unique<int>(7); });
        co_return *back + touched;
    };
    REQUIRE(corio::run(main()) == 13);
}

TEST_CASE("an exception thrown by the blocking call reaches the awaiter with its type",
          "[thread]") {
    auto main = []() -> Coro<int> {
        try {
            co_await corio::to_thread([]() -> int { throw HttpError(503); });
        } catch (const HttpError& e) {
            co_return e.status;
        }
        co_return 0;
    };
    REQUIRE(corio::run(main()) == 503);
    auto direct = []() -> Coro<void> {
        co_await corio::to_thread([] { throw std::out_of_range("index"); });
    };
    REQUIRE_THROWS_AS(corio::run(direct()), std::out_of_range);
}

TEST_CASE("run_in_executor uses the given pool, or the loop's default pool for nullptr",
          "[thread]") {
    corio::ThreadPool pool(1);
    corio::Loop loop;
    auto main = [&]() -> Coro<int> {
        int a = co_await loop.run_in_executor(&pool, [] { return 1; });
        int b = co_await loop.run_in_executor(nullptr, [] { return 2; });
        co_return a + b;
    };
    REQUIRE(loop.run_until_complete(main()) == 3);
    REQUIRE(pool.workers() == 1);
    REQUIRE(&loop.default_executor() == &loop.default_executor());
    REQUIRE(loop.default_executor().workers() >= 1);
}

TEST_CASE("awaiting a blocking call suspends only its task: other tasks and timers run",
          "[thread]") {
    // The blocking call waits for a flag that only another task on the loop sets, after ten
    // timer ticks: it can only finish if the loop kept running while it blocked.
    auto main = []() -> Coro<int> {
        auto flag = std::make_shared<Gate>();
        int ticks = 0;
        auto ticker = [](std::shared_ptr<Gate> flag, int& ticks) -> Coro<void> {
            for (int i = 0; i < 10; ++i) {
                co_await corio::sleep(1ms);
                ++ticks;
            }
            flag->open();
        };
        auto t = corio::create_task(ticker(flag, ticks));
        // flag goes in as an argument, not a capture: g++ 12 destroys a lambda with captures
        // twice when it is a temporary inside a co_await expression (see executor.hpp).
        bool seen =
            co_await corio::to_thread([](std::shared_ptr<Gate> f) { return f->wait(); }, flag);
        co_await t;
        co_return seen ? ticks : -1;
    };
    REQUIRE(corio::run(main()) == 10);
}

TEST_CASE("a manual clock does not jump ahead while a thread-pool job is running", "[thread]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto t0 = loop.time();
    std::vector<std::string> log;
    auto sleeper = [&]() -> Coro<void> {
        co_await corio::sleep(1h);
        log.push_back("timer at " + std::to_string((loop.time() - t0) / 1min) + " min");
    };
    auto main = [&]() -> Coro<void> {
        auto s = corio::create_task(sleeper());
        co_await corio::to_thread([] { std::this_thread::sleep_for(30ms); });
        log.push_back("job back at " + std::to_string((loop.time() - t0) / 1min) + " min");
        co_await s;
    };
    loop.run_until_complete(main());
    REQUIRE(log == std::vector<std::string>{"job back at 0 min", "timer at 60 min"});
}

TEST_CASE("cancelling a task that awaits a blocking call stops the wait at once", "[thread]") {
    Gate release;
    Gate entered;
    Tracked::live = 0;
    {
        corio::Loop loop;
        auto main = [&]() -> Coro<std::string> {
            auto t = corio::create_task(corio::to_thread([&] {
                entered.open();
                release.wait();
                return Tracked(9);
            }));
            co_await corio::to_thread([&] { return entered.wait(); });
            t.cancel();
            std::string what = "not cancelled";
            try {
                co_await t;
            } catch (const corio::CancelledError&) {
                what = "cancelled";
            }
            // The blocking call is still running: the awaiter did not wait for it.
            if (release.is_open()) what += " too late";
            release.open();
            co_return what;
        };
        REQUIRE(loop.run_until_complete(main()) == "cancelled");
    }  // closing the loop waits for the call to return, then frees its result
    REQUIRE(Tracked::live.load() == 0);
}

TEST_CASE("a late result is freed on the loop when it comes back", "[thread]") {
    Tracked::live = 0;
    Tracked::made = 0;
    corio::Loop loop;
    Gate release;
    Gate entered;
    auto main = [&]() -> Coro<int> {
        auto t = corio::create_task(corio::to_thread([&] {
            entered.open();
            release.wait();
            return Tracked(1);
        }));
        co_await corio::to_thread([&] { return entered.wait(); });
        t.cancel();
        try {
            co_await t;
        } catch (const corio::CancelledError&) {
        }
        release.open();
        // The result comes back to a detached job; the loop frees it while it runs on.
        for (int i = 0; i < 20000; ++i) {
            if (Tracked::made.load() > 0 && Tracked::live.load() == 0) co_return i;
            co_await corio::sleep(100us);
        }
        co_return -1;
    };
    REQUIRE(loop.run_until_complete(main()) >= 0);
}

TEST_CASE("a job cancelled before a worker took it never runs", "[thread]") {
    corio::ThreadPool pool(1);
    Gate release;
    Gate entered;
    std::atomic<bool> second_ran{false};
    corio::Loop loop;
    auto main = [&]() -> Coro<bool> {
        auto first = corio::create_task(loop.run_in_executor(&pool, [&] {
            entered.open();
            return release.wait();
        }));
        auto second = corio::create_task(loop.run_in_executor(&pool, [&] { second_ran = true; }));
        co_await corio::to_thread([&] { return entered.wait(); });
        second.cancel();
        bool cancelled = false;
        try {
            co_await second;
        } catch (const corio::CancelledError&) {
            cancelled = true;
        }
        release.open();
        bool first_ok = co_await first;
        co_return cancelled&& first_ok;
    };
    REQUIRE(loop.run_until_complete(main()));
    pool.shutdown();
    REQUIRE_FALSE(second_ran.load());
}

TEST_CASE("a pool shut down with cancel_pending gives queued awaiters CancelledError", "[thread]") {
    corio::ThreadPool pool(1);
    Gate release;
    Gate entered;
    corio::Loop loop;
    std::thread closer;
    auto main = [&]() -> Coro<std::string> {
        auto first = corio::create_task(loop.run_in_executor(&pool, [&] {
            entered.open();
            release.wait();
            return std::string("first done");
        }));
        auto second = corio::create_task(loop.run_in_executor(&pool, [] { return std::string(); }));
        co_await corio::to_thread([&] { return entered.wait(); });
        closer = std::thread([&] { pool.shutdown(true); });
        std::string got;
        try {
            co_await second;
        } catch (const corio::CancelledError&) {
            got = "second cancelled, ";
        }
        release.open();
        co_return got + co_await first;
    };
    REQUIRE(loop.run_until_complete(main()) == "second cancelled, first done");
    closer.join();
}

TEST_CASE("a loop closed while a job runs waits for it, with no leak", "[thread]") {
    Tracked::live = 0;
    std::atomic<bool> finished{false};
    Gate entered;
    std::string err = corio_test::capture_stderr([&] {
        corio::Loop loop;
        loop.create_task(corio::to_thread([&] {
            entered.open();
            std::this_thread::sleep_for(20ms);
            finished = true;
            return Tracked(3);
        }));
        auto main = [&]() -> Coro<void> { co_await corio::to_thread([&] { entered.wait(); }); };
        loop.run_until_complete(main());
    });  // the pending task is destroyed with the loop; its job is still running
    REQUIRE(finished.load());
    REQUIRE(Tracked::live.load() == 0);
    REQUIRE_THAT(err, Catch::Contains("destroyed but it is pending"));
}

TEST_CASE("many concurrent blocking calls all complete", "[thread]") {
    auto main = []() -> Coro<long> {
        std::vector<Task<long>> tasks;
        for (long i = 0; i < 200; ++i) {
            tasks.push_back(corio::create_task(corio::to_thread([i] { return i * i; })));
        }
        long sum = 0;
        for (auto& t : tasks) sum += co_await t;
        co_return sum;
    };
    REQUIRE(corio::run(main()) == 199L * 200 * 399 / 6);
}

TEST_CASE("one ThreadPool serves loops on two threads at once", "[thread]") {
    corio::ThreadPool pool(2);
    auto body = [&pool](int base) {
        corio::Loop loop;
        auto main = [&]() -> Coro<int> {
            int sum = 0;
            for (int i = 0; i < 50; ++i) {
                sum += co_await loop.run_in_executor(&pool, [base, i] { return base + i; });
            }
            co_return sum;
        };
        return loop.run_until_complete(main());
    };
    int a = 0, b = 0;
    std::thread ta([&] { a = body(0); });
    std::thread tb([&] { b = body(1000); });
    ta.join();
    tb.join();
    REQUIRE(a == 1225);
    REQUIRE(b == 50 * 1000 + 1225);
}
