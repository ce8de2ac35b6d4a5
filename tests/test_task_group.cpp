// TaskGroup: waiting for every child, cancelling the rest at the first failure, keeping every
// failure, cancellation of the waiter, children adding children, and the destructor's report.
#include <catch2/catch.hpp>
#include <chrono>
#include <exception>
#include <stdexcept>
#include <string>
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

std::string what(std::exception_ptr e) {
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        return ex.what();
    }
}

}  // namespace

TEST_CASE("a task group waits for every child; no child outlives the wait", "[taskgroup]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto t0 = loop.time();
    auto main = [&]() -> Coro<int> {
        corio::TaskGroup group;
        Task<int> a = group.create_task(after(20ms, 1));
        Task<int> b = group.create_task(after(10ms, 2), "b");
        REQUIRE(group.running() == 2);
        REQUIRE(b.name() == "b");
        co_await group.wait();
        REQUIRE(a.done());
        REQUIRE(b.done());
        REQUIRE(group.running() == 0);
        REQUIRE(corio::Loop::current().pending_tasks() == 1);  // only main is left
        REQUIRE(group.errors().empty());
        co_return a.result() + b.result();
    };
    REQUIRE(loop.run_until_complete(main()) == 3);
    REQUIRE(loop.time() - t0 == 20ms);
}

TEST_CASE("a failing child cancels the others; wait rethrows the first failure", "[taskgroup]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<std::string> log;
    auto main = [&]() -> Coro<std::string> {
        corio::TaskGroup group;
        group.create_task(sleep_or_clean_up(1h, 1ms, log, "a"));
        group.create_task(fail_after(5ms, "first"));
        group.create_task(sleep_or_clean_up(1h, 1ms, log, "b"));
        group.create_task(fail_after(50ms, "never"));
        std::string caught;
        try {
            co_await group.wait();
        } catch (const std::runtime_error& e) {
            caught = e.what();
        }
        REQUIRE(group.failed());
        REQUIRE(group.errors().size() == 1);
        REQUIRE(corio::Loop::current().pending_tasks() == 1);
        co_return caught;
    };
    REQUIRE(loop.run_until_complete(main()) == "first");
    REQUIRE(log == std::vector<std::string>{"a cleaned up", "b cleaned up"});
}

TEST_CASE("every failure of a task group stays retrievable, in completion order", "[taskgroup]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    // Fails while cleaning up after the group cancelled it: a second, distinct failure.
    auto sore_loser = []() -> Coro<void> {
        std::exception_ptr cancelled;
        try {
            co_await corio::sleep(1h);
        } catch (const corio::CancelledError&) {
            cancelled = std::current_exception();
        }
        co_await corio::sleep(1ms);
        throw std::runtime_error("second");
    };
    auto main = [&]() -> Coro<void> {
        corio::TaskGroup group;
        group.create_task(sore_loser());
        group.create_task(fail_after(2ms, "first"));
        REQUIRE_THROWS_WITH(co_await group.wait(), "first");
        REQUIRE(group.errors().size() == 2);
        REQUIRE(what(group.errors()[0]) == "first");
        REQUIRE(what(group.errors()[1]) == "second");
    };
    loop.run_until_complete(main());
}

TEST_CASE("a task group refuses new children once one failed or the wait is over", "[taskgroup]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = [&]() -> Coro<void> {
        corio::TaskGroup failing;
        failing.create_task(fail_after(1ms, "x"));
        co_await corio::sleep(2ms);
        REQUIRE_THROWS_AS(failing.create_task(after(1ms, 1)), corio::InvalidStateError);
        REQUIRE_THROWS_WITH(co_await failing.wait(), "x");

        corio::TaskGroup done;
        done.create_task(after(1ms, 1));
        co_await done.wait();
        REQUIRE_THROWS_AS(done.create_task(after(1ms, 1)), corio::InvalidStateError);
        REQUIRE_THROWS_AS(co_await done.wait(), corio::InvalidStateError);
    };
    loop.run_until_complete(main());
}

TEST_CASE("cancelling the task awaiting wait() cancels every child and waits for them",
          "[taskgroup]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<std::string> log;
    auto body = [&]() -> Coro<void> {
        corio::TaskGroup group;
        group.create_task(sleep_or_clean_up(1h, 1ms, log, "a"));
        group.create_task(sleep_or_clean_up(1h, 1ms, log, "b"));
        try {
            co_await group.wait();
        } catch (const corio::CancelledError&) {
            log.push_back("wait cancelled");
            throw;
        }
    };
    Task<void> t = loop.create_task(body());
    loop.call_later(10ms, [t]() mutable { t.cancel(); });
    REQUIRE_THROWS_AS(loop.run_until_complete(t), corio::CancelledError);
    REQUIRE(log == std::vector<std::string>{"a cleaned up", "b cleaned up", "wait cancelled"});
    REQUIRE(loop.pending_tasks() == 0);
}

TEST_CASE("children may add children to their group while it waits", "[taskgroup]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    int count = 0;
    auto main = [&]() -> Coro<int> {
        corio::TaskGroup group;
        auto spawner = [](corio::TaskGroup& g, int& count, int depth) -> Coro<void> {
            auto self = [](corio::TaskGroup& g, int& count, int depth, auto& me) -> Coro<void> {
                co_await corio::sleep(1ms);
                ++count;
                if (depth > 0) {
                    g.create_task(me(g, count, depth - 1, me));
                    g.create_task(me(g, count, depth - 1, me));
                }
            };
            co_await self(g, count, depth, self);
        };
        group.create_task(spawner(group, count, 4));
        co_await group.wait();
        co_return count;
    };
    REQUIRE(loop.run_until_complete(main()) == 31);  // 1 + 2 + 4 + 8 + 16
}

TEST_CASE("a task group destroyed with live children cancels them and says so", "[taskgroup]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<std::string> log;
    Task<int> child;
    std::string err = corio_test::capture_stderr([&] {
        auto main = [&]() -> Coro<void> {
            {
                corio::TaskGroup careless;
                child = careless.create_task(sleep_or_clean_up(1h, 1ms, log, "orphan"));
                co_await corio::sleep(1ms);
            }
            co_await corio::sleep(5ms);  // the orphan's cleanup still runs
        };
        loop.run_until_complete(main());
    });
    REQUIRE_THAT(err, Catch::Contains("TaskGroup destroyed with 1 unfinished"));
    REQUIRE(child.cancelled());
    REQUIRE(log == std::vector<std::string>{"orphan cleaned up"});
}
