// wait and as_completed: the three return_when conditions, timeouts that cancel nothing, empty
// lists, tasks already done, completion order, and cancelling the waiter.
#include <catch2/catch.hpp>
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "corio/corio.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using corio::Coro;
using corio::ReturnWhen;
using corio::Task;
using corio_test::after;

namespace {

Coro<int> fail_after(std::chrono::milliseconds d) {
    co_await corio::sleep(d);
    throw std::runtime_error("failed");
}

}  // namespace

TEST_CASE("wait with a 1.5 s timeout: one task done at 1 s, one pending that finishes later",
          "[wait][seed]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto t0 = loop.time();
    auto main = [&]() -> Coro<int> {
        Task<int> t1 = corio::create_task(after(1s, 1));
        Task<int> t2 = corio::create_task(after(2s, 2));
        // Named, not `wait({t1, t2}, ...)`: g++ 12 rejects a braced list inside co_await.
        std::vector<Task<int>> both{t1, t2};
        auto [done, pending] = co_await corio::wait(both, {.timeout = 1.5s});
        REQUIRE(loop.time() - t0 == 1500ms);
        REQUIRE(done.size() == 1);
        REQUIRE(pending.size() == 1);
        REQUIRE(done[0] == t1);
        REQUIRE(pending[0] == t2);
        REQUIRE_FALSE(t2.cancelled());  // the timeout cancels nothing
        int late = co_await pending[0];
        REQUIRE(loop.time() - t0 == 2s);
        co_return done[0].result() + late;
    };
    REQUIRE(loop.run_until_complete(main()) == 3);
}

TEST_CASE("wait returns at the first completion with FirstCompleted", "[wait]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = []() -> Coro<void> {
        std::vector<Task<int>> tasks{corio::create_task(after(30ms, 1)),
                                     corio::create_task(after(10ms, 2)),
                                     corio::create_task(after(20ms, 3))};
        auto r = co_await corio::wait(tasks, {.return_when = ReturnWhen::FirstCompleted});
        REQUIRE(r.done.size() == 1);
        REQUIRE(r.done[0].result() == 2);
        REQUIRE(r.pending.size() == 2);
        REQUIRE(r.pending[0] == tasks[0]);  // input order kept
        REQUIRE(r.pending[1] == tasks[2]);
        auto rest = co_await corio::wait(r.pending);
        REQUIRE(rest.done.size() == 2);
        REQUIRE(rest.pending.empty());
    };
    loop.run_until_complete(main());
}

TEST_CASE("wait returns at the first exception with FirstException, else when all are done",
          "[wait]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = []() -> Coro<void> {
        auto t0 = corio::Loop::current().time();
        std::vector<Task<int>> tasks{corio::create_task(after(1h, 1)),
                                     corio::create_task(fail_after(5ms)),
                                     corio::create_task(after(1ms, 3))};
        auto r = co_await corio::wait(tasks, {.return_when = ReturnWhen::FirstException});
        REQUIRE(corio::Loop::current().time() - t0 == 5ms);
        REQUIRE(r.done.size() == 2);
        REQUIRE(r.pending.size() == 1);
        REQUIRE(r.done[0].exception() != nullptr);
        tasks[0].cancel();
        REQUIRE_THROWS_AS(co_await tasks[0], corio::CancelledError);

        // A cancelled task is not an exception: with none failing, wait for all.
        std::vector<Task<int>> calm{corio::create_task(after(2ms, 1)),
                                    corio::create_task(after(4ms, 2))};
        calm[0].cancel();
        auto r2 = co_await corio::wait(calm, {.return_when = ReturnWhen::FirstException});
        REQUIRE(r2.done.size() == 2);
    };
    loop.run_until_complete(main());
}

TEST_CASE("wait works with an empty list and with tasks already done", "[wait]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = []() -> Coro<void> {
        auto t0 = corio::Loop::current().time();
        auto empty = co_await corio::wait(std::vector<Task<int>>{});
        REQUIRE(empty.done.empty());
        REQUIRE(empty.pending.empty());
        auto empty_first = co_await corio::wait(std::vector<Task<int>>{},
                                                {.return_when = ReturnWhen::FirstCompleted});
        REQUIRE(empty_first.done.empty());

        Task<int> finished = corio::create_task(after(0ms, 1));
        co_await finished;
        t0 = corio::Loop::current().time();
        std::vector<Task<int>> mixed{finished, corio::create_task(after(1h, 2))};
        auto r =
            co_await corio::wait(mixed, {.timeout = 1s, .return_when = ReturnWhen::FirstCompleted});
        REQUIRE(corio::Loop::current().time() == t0);  // returned without waiting
        REQUIRE(r.done.size() == 1);
        r.pending[0].cancel();
        REQUIRE_THROWS_AS(co_await r.pending[0], corio::CancelledError);
    };
    loop.run_until_complete(main());
}

TEST_CASE("cancelling a wait cancels only the waiter, never the tasks", "[wait]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    Task<int> slow;
    auto waiting = [&]() -> Coro<void> {
        std::vector<Task<int>> one{slow};
        co_await corio::wait(one);
    };
    auto main = [&]() -> Coro<int> {
        slow = corio::create_task(after(50ms, 5));
        Task<void> w = corio::create_task(waiting());
        co_await corio::sleep(10ms);
        w.cancel();
        REQUIRE_THROWS_AS(co_await w, corio::CancelledError);
        co_return co_await slow;
    };
    REQUIRE(loop.run_until_complete(main()) == 5);
}

TEST_CASE("as_completed yields tasks in completion order, then nullopt", "[wait][as_completed]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = []() -> Coro<std::vector<int>> {
        Task<int> done_first = corio::create_task(after(0ms, 0));
        co_await done_first;
        std::vector<Task<int>> tasks{corio::create_task(after(30ms, 30)),
                                     corio::create_task(after(10ms, 10)), done_first,
                                     corio::create_task(after(20ms, 20))};
        std::vector<int> order;
        auto it = corio::as_completed(tasks);
        REQUIRE(it.remaining() == 4);
        while (auto t = co_await it.next()) order.push_back(co_await *t);
        REQUIRE(it.remaining() == 0);
        co_return order;
    };
    REQUIRE(loop.run_until_complete(main()) == std::vector<int>{0, 10, 20, 30});
}

TEST_CASE("as_completed with a timeout throws TimeoutError once nothing finished is left",
          "[wait][as_completed]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = []() -> Coro<void> {
        auto t0 = corio::Loop::current().time();
        std::vector<Task<int>> tasks{corio::create_task(after(10ms, 1)),
                                     corio::create_task(after(1h, 2))};
        auto it = corio::as_completed(tasks, 100ms);
        auto first = co_await it.next();
        REQUIRE((*first).result() == 1);
        REQUIRE_THROWS_AS(co_await it.next(), corio::TimeoutError);
        REQUIRE(corio::Loop::current().time() - t0 == 100ms);
        REQUIRE_FALSE(tasks[1].done());  // nothing cancelled
        tasks[1].cancel();
        REQUIRE_THROWS_AS(co_await tasks[1], corio::CancelledError);
    };
    loop.run_until_complete(main());
}

TEST_CASE("cancelling a task waiting in as_completed leaves the tasks running",
          "[wait][as_completed]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = []() -> Coro<int> {
        Task<int> t = corio::create_task(after(20ms, 7));
        auto consumer = [](Task<int> t) -> Coro<void> {
            auto it = corio::as_completed(std::vector<Task<int>>{t});
            co_await it.next();
        };
        Task<void> c = corio::create_task(consumer(t));
        co_await corio::sleep(5ms);
        c.cancel();
        REQUIRE_THROWS_AS(co_await c, corio::CancelledError);
        co_return co_await t;
    };
    REQUIRE(loop.run_until_complete(main()) == 7);
}
