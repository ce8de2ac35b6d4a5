// Cancellation as asyncio delivers it, checked the way CPython's test_tasks, test_waitfor and
// test_timeouts check it: a cancel passed on to an awaited task is delivered once, by that
// task; cancelling() and uncancel(); deadlines that take their own cancel back, so nested
// timeouts count right; and wait_for's clock starting when wait_for starts.
#include <catch2/catch.hpp>
#include <chrono>
#include <exception>
#include <stdexcept>
#include <string>

#include "corio/corio.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using corio::Coro;
using corio::Task;

// The cancel bookkeeping (cancelling(), the woke-an-awaiter bit) fits in the task state's
// spare bytes: every idle task pays for each one (88 bytes on x86-64 with libstdc++).
#if defined(__x86_64__) && defined(__GLIBCXX__)
static_assert(sizeof(corio::detail::TaskState<int>) <= 88);
#endif

namespace {

// corio::sleep as a Coro (sleep's own awaiter cannot be moved into a combinator yet).
Coro<void> nap(std::chrono::milliseconds d) { co_await corio::sleep(d); }

// Sleeps 1 h; a cancel is caught and answered with `answer`.
Coro<int> absorbs_cancel(int answer) {
    try {
        co_await corio::sleep(1h);
    } catch (const corio::CancelledError&) {
        co_return answer;
    }
    co_return -1;
}

// Sleeps 1 h; a cancel is caught and turned into std::runtime_error("cleanup failed").
Coro<int> fails_on_cancel() {
    try {
        co_await corio::sleep(1h);
    } catch (const corio::CancelledError&) {
        throw std::runtime_error("cleanup failed");
    }
    co_return -1;
}

template <class T>
Coro<std::string> how_it_ends(Coro<T> c) {
    try {
        co_await std::move(c);
        co_return "value";
    } catch (const corio::TimeoutError&) {
        co_return "TimeoutError";
    } catch (const corio::CancelledError&) {
        co_return "CancelledError";
    } catch (const std::runtime_error& e) {
        co_return e.what();
    }
}

}  // namespace

TEST_CASE("a cancel passed on to an awaited task that returns a value gives that value",
          "[asyncio][cancel]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = [&]() -> Coro<int> {
        Task<int> inner = corio::create_task(absorbs_cancel(42));
        auto outer_body = [](Task<int> t) -> Coro<int> { co_return co_await t; };
        Task<int> outer = corio::create_task(outer_body(inner));
        co_await corio::sleep(10ms);
        REQUIRE(outer.cancel());
        int got = co_await outer;  // not CancelledError: the cancel was the inner task's to answer
        REQUIRE_FALSE(outer.cancelled());
        REQUIRE_FALSE(inner.cancelled());
        REQUIRE(outer.cancelling() == 1);  // asyncio counts the request all the same
        co_return got;
    };
    REQUIRE(loop.run_until_complete(main()) == 42);
}

TEST_CASE("a cancel passed on to an awaited task that throws gives that exception",
          "[asyncio][cancel]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = [&]() -> Coro<std::string> {
        Task<int> inner = corio::create_task(fails_on_cancel());
        auto outer_body = [](Task<int> t) -> Coro<int> { co_return co_await t; };
        Task<int> outer = corio::create_task(outer_body(inner));
        co_await corio::sleep(10ms);
        outer.cancel();
        co_return co_await how_it_ends(outer_body(outer));
    };
    REQUIRE(loop.run_until_complete(main()) == "cleanup failed");
}

TEST_CASE("a cancel made after the awaited task finished is still the awaiter's own",
          "[asyncio][cancel]") {
    // The inner task is done, the outer one's wake-up is queued: nothing to pass the cancel on
    // to, so the outer task gets CancelledError at its await (asyncio's _must_cancel).
    corio::Loop loop;
    auto main = [&]() -> Coro<std::string> {
        Task<int> inner = corio::create_task(corio_test::after(0ms, 1));
        auto outer_body = [](Task<int> t) -> Coro<int> { co_return co_await t; };
        Task<int> outer = corio::create_task(outer_body(inner));
        // We await inner before outer starts to, so inner's end wakes us first: outer's
        // wake-up is then queued, not run.
        co_await inner;
        outer.cancel();
        try {
            co_await outer;
        } catch (const corio::CancelledError&) {
            co_return "CancelledError";
        }
        co_return "value";
    };
    REQUIRE(loop.run_until_complete(main()) == "CancelledError");
}

TEST_CASE("wait_for on a task that absorbs the expiry's cancel gives its value or exception",
          "[asyncio][timeout]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = [&]() -> Coro<int> {
        Task<int> swallow = corio::create_task(absorbs_cancel(7));
        int v = co_await corio::wait_for(swallow, 1s);
        REQUIRE(v == 7);
        Task<int> raise = corio::create_task(fails_on_cancel());
        std::string e = co_await how_it_ends(corio::wait_for(raise, 1s));
        REQUIRE(e == "cleanup failed");
        co_return v;
    };
    auto start = loop.time();
    REQUIRE(loop.run_until_complete(main()) == 7);
    REQUIRE(loop.time() - start == 2s);
}

TEST_CASE("wait_for leaves the task's cancelling() count as it found it", "[asyncio][timeout]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto body = [&]() -> Coro<uint32_t> {
        std::string a = co_await how_it_ends(corio::wait_for(nap(1h), 1s));
        std::string b = co_await how_it_ends(corio::wait_for(absorbs_cancel(3), 1s));
        REQUIRE(a == "TimeoutError");
        REQUIRE(b == "value");
        co_await corio::sleep(1ms);  // no cancel left behind to surprise this await
        co_return 0;
    };
    Task<uint32_t> t = loop.create_task(body());
    loop.run_until_complete(t);
    REQUIRE(t.cancelling() == 0);
}

TEST_CASE("cancelling() counts requests and uncancel() takes them back", "[asyncio][cancel]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = [&]() -> Coro<std::string> {
        Task<void> t = corio::create_task(nap(1h));
        co_await corio::sleep(0s);
        REQUIRE(t.cancelling() == 0);
        t.cancel();
        t.cancel();
        REQUIRE(t.cancelling() == 2);
        REQUIRE(t.uncancel() == 1);
        REQUIRE(t.uncancel() == 0);
        REQUIRE(t.uncancel() == 0);  // never below zero
        co_return co_await how_it_ends(corio::wait_for(t, 1s));
    };
    // The cancel was already delivered to the sleep before it was taken back: the task still
    // ends cancelled (uncancel only withdraws a cancel not delivered yet).
    REQUIRE(loop.run_until_complete(main()) == "CancelledError");
}

TEST_CASE("uncancel() to zero withdraws a cancel not delivered yet", "[asyncio][cancel]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = [&]() -> Coro<std::string> {
        // Cancelled before its first step: the cancel waits for the task to run, and taking it
        // back in time lets the task run as if nothing happened.
        Task<int> t = corio::create_task(corio_test::after(10ms, 5));
        REQUIRE(t.cancel());
        REQUIRE(t.uncancel() == 0);
        co_return co_await how_it_ends(corio::wait_for(t, 1s));
    };
    REQUIRE(loop.run_until_complete(main()) == "value");
}

TEST_CASE("a timeout expiring inside the cleanup of another leaves both TimeoutError",
          "[asyncio][timeout]") {
    // CPython's test_nested_timeout_in_finally: a timed-out request whose cleanup closes
    // under a timeout of its own.
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::string inner_outcome;
    auto request = [&]() -> Coro<void> {
        std::exception_ptr cancelled;
        try {
            co_await corio::sleep(1h);
        } catch (const corio::CancelledError&) {
            cancelled = std::current_exception();
        }
        inner_outcome = co_await how_it_ends(corio::wait_for(nap(1h), 10ms));
        if (cancelled) std::rethrow_exception(cancelled);
    };
    auto body = [&]() -> Coro<std::string> {
        co_return co_await how_it_ends(corio::wait_for(request(), 10ms));
    };
    Task<std::string> t = loop.create_task(body());
    REQUIRE(loop.run_until_complete(t) == "TimeoutError");
    REQUIRE(inner_outcome == "TimeoutError");
    REQUIRE(t.cancelling() == 0);
}

TEST_CASE("a cancel from outside during an expired deadline's cleanup stays CancelledError",
          "[asyncio][timeout]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto cleanup_slowly = []() -> Coro<void> {
        std::exception_ptr cancelled;
        try {
            co_await corio::sleep(1h);
        } catch (const corio::CancelledError&) {
            cancelled = std::current_exception();
        }
        try {
            co_await corio::sleep(50ms);  // the cleanup; the outside cancel lands here
        } catch (const corio::CancelledError&) {
        }
        std::rethrow_exception(cancelled);
    };
    auto main = [&]() -> Coro<std::string> {
        auto body = [&]() -> Coro<std::string> {
            co_return co_await how_it_ends(corio::wait_for(cleanup_slowly(), 10ms));
        };
        Task<std::string> t = corio::create_task(body());
        co_await corio::sleep(20ms);  // expired at 10 ms; cleanup runs until 60 ms
        t.cancel();
        co_return co_await t;
    };
    REQUIRE(loop.run_until_complete(main()) == "CancelledError");
}

TEST_CASE("wait_for's clock starts when wait_for starts, not at the work's first await",
          "[asyncio][timeout]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    // 2 s of computing (the manual clock moved by hand) before the first await: with a 1 s
    // deadline counted from the start, the 10 ms sleep after it is interrupted.
    auto busy_then_sleep = [&]() -> Coro<int> {
        clock.advance(2s);
        co_await corio::sleep(10ms);
        co_return 1;
    };
    auto main = [&]() -> Coro<std::string> {
        auto start = loop.time();
        std::string r = co_await how_it_ends(corio::wait_for(busy_then_sleep(), 1s));
        REQUIRE(loop.time() - start == 2s);  // thrown as soon as the loop looked
        co_return r;
    };
    REQUIRE(loop.run_until_complete(main()) == "TimeoutError");
}

TEST_CASE("work that finishes without waiting returns its value even past the deadline",
          "[asyncio][timeout]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto busy = [&]() -> Coro<int> {
        clock.advance(5s);
        co_return 9;
    };
    auto main = [&]() -> Coro<int> { co_return co_await corio::wait_for(busy(), 1s); };
    REQUIRE(loop.run_until_complete(main()) == 9);
}
