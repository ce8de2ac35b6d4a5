// TaskGroup as asyncio 3.11's, checked the way CPython's test_taskgroups checks it: a child's
// failure cancels the owner wherever it waits; the group's end throws the child's exception,
// not CancelledError, and restores the owner's cancelling() count; several failures: the first
// thrown, the others reported and all in errors(); the body's own exception and an outside
// cancel.
#include <catch2/catch.hpp>
#include <chrono>
#include <coroutine>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "corio/corio.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using corio::Coro;
using corio::Task;
using corio::TaskGroup;

namespace {

// What ended a coroutine: its value, "CancelledError", or a runtime_error's message.
Coro<std::string> ending(Coro<std::string> c) {
    try {
        co_return co_await std::move(c);
    } catch (const corio::CancelledError&) {
        co_return "CancelledError";
    } catch (const std::runtime_error& e) {
        co_return e.what();
    }
}

// Sleeps d, then throws runtime_error(what), cancelled or not: a failure no cancel prevents.
Coro<void> fail_regardless(std::chrono::milliseconds d, std::string what) {
    try {
        co_await corio::sleep(d);
    } catch (const corio::CancelledError&) {
    }
    throw std::runtime_error(what);
}

// Adds v to total after v ms.
Coro<void> add_later(int& total, int v) {
    co_await corio::sleep(std::chrono::milliseconds(v));
    total += v;
}

// Resumes the coroutine d later, without parking on its task: a task waiting here cannot be
// interrupted, so a cancel made meanwhile waits for the task's next await.
struct Uninterruptible {
    std::chrono::milliseconds d;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) {
        corio::Loop::current().call_later(d, [h] { h.resume(); });
    }
    void await_resume() const noexcept {}
};

}  // namespace

TEST_CASE("a child's failure interrupts the owner's body wherever it waits",
          "[asyncio][taskgroup]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<std::string> log;
    auto owner = [&]() -> Coro<std::string> {
        auto group_run = [&]() -> Coro<std::string> {
            co_await corio::task_group([&](TaskGroup& g) -> Coro<void> {
                g.create_task(corio_test::fail_after(10ms, "child failed"));
                g.create_task(corio_test::sleep_or_clean_up(1h, 5ms, log, "sibling"));
                try {
                    co_await corio::sleep(1h);  // not in wait(): interrupted all the same
                } catch (const corio::CancelledError&) {
                    log.push_back("body cancelled");
                    throw;
                }
            });
            co_return "no error";
        };
        co_return co_await ending(group_run());
    };
    auto start = loop.time();
    Task<std::string> t = loop.create_task(owner());
    REQUIRE(loop.run_until_complete(t) == "child failed");  // not CancelledError
    REQUIRE(loop.time() - start == 15ms);                   // the sibling's cleanup included
    REQUIRE(t.cancelling() == 0);                           // the group took its cancel back
    REQUIRE(log == std::vector<std::string>{"body cancelled", "sibling cleaned up"});
}

TEST_CASE("the owner's next await after the group is not cancelled", "[asyncio][taskgroup]") {
    // The failure lands while the owner cannot be interrupted: the cancel waits for its next
    // await, which is the group's end; taken back there, it must not hit the await after it.
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto owner = [&]() -> Coro<std::string> {
        auto group_run = [&]() -> Coro<std::string> {
            co_await corio::task_group([&](TaskGroup& g) -> Coro<void> {
                g.create_task(corio_test::fail_after(5ms, "early"));
                co_await Uninterruptible{20ms};
            });
            co_return "no error";
        };
        std::string r = co_await ending(group_run());
        co_await corio::sleep(10ms);  // would throw if the group's cancel were left behind
        co_return r;
    };
    Task<std::string> t = loop.create_task(owner());
    REQUIRE(loop.run_until_complete(t) == "early");
    REQUIRE(t.cancelling() == 0);
}

TEST_CASE("task_group returns the body's value when every child succeeds", "[asyncio][taskgroup]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = [&]() -> Coro<int> {
        int total = 0;
        int body = co_await corio::task_group([&](TaskGroup& g) -> Coro<int> {
            for (int i = 1; i <= 3; ++i) g.create_task(add_later(total, i));
            co_return 100;
        });
        co_return body + total;
    };
    REQUIRE(loop.run_until_complete(main()) == 106);
}

TEST_CASE("several children failing: the first is thrown, the others reported, all in errors()",
          "[asyncio][taskgroup]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<std::string> reported;
    loop.set_reporter([&](std::string_view m) { reported.emplace_back(m); });
    TaskGroup group;
    auto main = [&]() -> Coro<std::string> {
        // The first failure cancels the others; they fail all the same.
        group.create_task(corio_test::fail_after(5ms, "first"));
        group.create_task(fail_regardless(6ms, "second"));
        group.create_task(fail_regardless(7ms, "third"));
        auto end = [&]() -> Coro<std::string> {
            co_await group.wait();
            co_return "no error";
        };
        co_return co_await ending(end());
    };
    Task<std::string> t = loop.create_task(main());
    REQUIRE(loop.run_until_complete(t) == "first");
    REQUIRE(group.errors().size() == 3);
    REQUIRE(reported.size() == 2);
    REQUIRE(reported[0].find("second") != std::string::npos);
    REQUIRE(reported[1].find("third") != std::string::npos);
    REQUIRE(t.cancelling() == 0);
}

TEST_CASE("the body's own exception cancels the children and is rethrown after them",
          "[asyncio][taskgroup]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<std::string> log;
    auto main = [&]() -> Coro<std::string> {
        auto run = [&]() -> Coro<std::string> {
            co_await corio::task_group([&](TaskGroup& g) -> Coro<void> {
                g.create_task(corio_test::sleep_or_clean_up(1h, 5ms, log, "child"));
                co_await corio::sleep(1ms);
                throw std::runtime_error("body failed");
            });
            co_return "no error";
        };
        co_return co_await ending(run());
    };
    REQUIRE(loop.run_until_complete(main()) == "body failed");
    REQUIRE(log == std::vector<std::string>{"child cleaned up"});
}

TEST_CASE("a cancel from outside the group stays CancelledError and stays counted",
          "[asyncio][taskgroup]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<std::string> log;
    auto owner = [&]() -> Coro<std::string> {
        auto run = [&]() -> Coro<std::string> {
            co_await corio::task_group([&](TaskGroup& g) -> Coro<void> {
                g.create_task(corio_test::sleep_or_clean_up(1h, 5ms, log, "child"));
                co_await corio::sleep(1h);
            });
            co_return "no error";
        };
        co_return co_await ending(run());
    };
    auto main = [&]() -> Coro<std::string> {
        Task<std::string> t = corio::create_task(owner());
        co_await corio::sleep(10ms);
        t.cancel();
        std::string r = co_await t;
        REQUIRE(t.cancelling() == 1);  // not ours to take back
        co_return r;
    };
    REQUIRE(loop.run_until_complete(main()) == "CancelledError");
    REQUIRE(log == std::vector<std::string>{"child cleaned up"});
}

TEST_CASE("a failure while the owner is in wait() throws the child's exception there",
          "[asyncio][taskgroup]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<std::string> log;
    auto owner = [&]() -> Coro<std::string> {
        TaskGroup group;
        group.create_task(corio_test::fail_after(10ms, "late failure"));
        group.create_task(corio_test::sleep_or_clean_up(1h, 1ms, log, "sibling"));
        auto end = [&]() -> Coro<std::string> {
            co_await group.wait();
            co_return "no error";
        };
        std::string r = co_await ending(end());
        co_await corio::sleep(1ms);  // nothing left pending on the owner
        co_return r;
    };
    Task<std::string> t = loop.create_task(owner());
    REQUIRE(loop.run_until_complete(t) == "late failure");
    REQUIRE(t.cancelling() == 0);
    REQUIRE(log == std::vector<std::string>{"sibling cleaned up"});
}

TEST_CASE("a body that absorbs the group's cancel still ends with the child's exception",
          "[asyncio][taskgroup]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto owner = [&]() -> Coro<std::string> {
        auto run = [&]() -> Coro<std::string> {
            co_await corio::task_group([&](TaskGroup& g) -> Coro<void> {
                g.create_task(corio_test::fail_after(1ms, "child failed"));
                try {
                    co_await corio::sleep(1h);
                } catch (const corio::CancelledError&) {
                }
                co_await corio::sleep(1ms);  // the cancel was delivered once, not again
            });
            co_return "no error";
        };
        co_return co_await ending(run());
    };
    Task<std::string> t = loop.create_task(owner());
    REQUIRE(loop.run_until_complete(t) == "child failed");
    REQUIRE(t.cancelling() == 0);
}
