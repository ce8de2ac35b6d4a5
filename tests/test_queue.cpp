// Queue, LifoQueue, PriorityQueue: order, bounds, the nowait forms, task_done/join, and the
// cancellation races: a getter or putter cancelled while queued or after being woken must not
// lose an item, leak a slot, or let maxsize be exceeded.
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "corio/corio.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using corio::Coro;
using corio::Task;
using corio_test::outcome;

namespace {

Coro<int> getter(corio::Queue<int>& q) { co_return co_await q.get(); }

Coro<void> putter(corio::Queue<int>& q, int v) { co_await q.put(v); }

std::vector<int> drain(corio::Queue<int>& q) {
    std::vector<int> out;
    while (!q.empty()) out.push_back(q.get_nowait());
    return out;
}

}  // namespace

TEST_CASE("a Queue is first in, first out, with nowait forms that throw", "[queue]") {
    corio::Queue<std::string> q{2};
    REQUIRE(q.empty());
    REQUIRE(q.maxsize() == 2);
    REQUIRE_THROWS_AS(q.get_nowait(), corio::QueueEmpty);
    q.put_nowait("a");
    q.put_nowait("b");
    REQUIRE(q.full());
    REQUIRE(q.qsize() == 2);
    REQUIRE_THROWS_AS(q.put_nowait("c"), corio::QueueFull);
    REQUIRE(q.get_nowait() == "a");
    q.put_nowait("c");
    REQUIRE(q.get_nowait() == "b");
    REQUIRE(q.get_nowait() == "c");
    REQUIRE(q.empty());

    corio::Queue<int> unbounded;                             // maxsize 0
    for (int i = 0; i < 1000; ++i) unbounded.put_nowait(i);  // grows its ring past 16, wrapped
    REQUIRE_FALSE(unbounded.full());
    for (int i = 0; i < 1000; ++i) REQUIRE(unbounded.get_nowait() == i);
}

TEST_CASE("LifoQueue pops the newest, PriorityQueue the smallest", "[queue]") {
    corio::LifoQueue<int> lifo;
    corio::PriorityQueue<int> prio;
    corio::PriorityQueue<int, std::greater<int>> largest_first;
    for (int v : {3, 1, 4, 1, 5}) {
        lifo.put_nowait(v);
        prio.put_nowait(v);
        largest_first.put_nowait(v);
    }
    std::vector<int> a, b, c;
    while (!lifo.empty()) a.push_back(lifo.get_nowait());
    while (!prio.empty()) b.push_back(prio.get_nowait());
    while (!largest_first.empty()) c.push_back(largest_first.get_nowait());
    REQUIRE(a == std::vector<int>{5, 1, 4, 1, 3});
    REQUIRE(b == std::vector<int>{1, 1, 3, 4, 5});
    REQUIRE(c == std::vector<int>{5, 4, 3, 1, 1});
}

TEST_CASE("get waits for an item and put waits for room, both in arrival order", "[queue]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = []() -> Coro<std::vector<int>> {
        corio::Queue<int> q{1};
        Task<int> g1 = corio::create_task(getter(q));
        Task<int> g2 = corio::create_task(getter(q));
        co_await corio::sleep(1ms);
        co_await q.put(10);
        co_await q.put(20);
        REQUIRE(co_await g1 == 10);
        REQUIRE(co_await g2 == 20);

        q.put_nowait(0);
        std::vector<Task<void>> ps;
        for (int v : {1, 2, 3}) ps.push_back(corio::create_task(putter(q, v)));
        co_await corio::sleep(1ms);
        REQUIRE(q.qsize() == 1);  // maxsize holds: the putters wait
        std::vector<int> got;
        for (int i = 0; i < 4; ++i) got.push_back(co_await q.get());
        for (auto& p : ps) co_await p;
        co_return got;
    };
    REQUIRE(loop.run_until_complete(main()) == std::vector<int>{0, 1, 2, 3});
}

TEST_CASE("join returns once task_done was called for every item put", "[queue]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = []() -> Coro<int> {
        corio::Queue<int> q;
        co_await q.join();  // nothing put: at once
        REQUIRE_THROWS_AS(q.task_done(), corio::InvalidStateError);
        int processed = 0;
        auto worker = [](corio::Queue<int>& q, int& processed) -> Coro<void> {
            for (;;) {
                int v = co_await q.get();
                co_await corio::sleep(std::chrono::milliseconds(v));
                ++processed;
                q.task_done();
            }
        };
        Task<void> w1 = corio::create_task(worker(q, processed));
        Task<void> w2 = corio::create_task(worker(q, processed));
        for (int i = 1; i <= 6; ++i) q.put_nowait(i);
        co_await q.join();
        REQUIRE(q.empty());
        w1.cancel();
        w2.cancel();
        REQUIRE(co_await outcome(w1) == "cancelled");
        REQUIRE(co_await outcome(w2) == "cancelled");
        co_return processed;
    };
    REQUIRE(loop.run_until_complete(main()) == 6);
}

TEST_CASE("a producer and a consumer pass 10,000 move-only items through a small queue",
          "[queue]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = []() -> Coro<long> {
        corio::Queue<std::unique_ptr<int>> q{3};
        auto produce = [](corio::Queue<std::unique_ptr<int>>& q) -> Coro<void> {
            for (int i = 0; i < 10'000; ++i) co_await q.put(std::make_unique<int>(i));
        };
        auto consume = [](corio::Queue<std::unique_ptr<int>>& q) -> Coro<long> {
            long sum = 0;
            for (int i = 0; i < 10'000; ++i) {
                auto p = co_await q.get();
                if (*p != i) co_return -1;  // order kept
                sum += *p;
            }
            co_return sum;
        };
        auto [_, sum] = co_await corio::gather(produce(q), consume(q));
        co_return sum;
    };
    REQUIRE(loop.run_until_complete(main()) == 49'995'000L);
}

TEST_CASE("a cancelled getter loses no item: it goes to the next getter, or stays queued",
          "[queue]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto race = [](bool woken_first, bool another_getter) -> Coro<void> {
        corio::Queue<int> q;
        Task<int> a = corio::create_task(getter(q));
        Task<int> b;
        if (another_getter) b = corio::create_task(getter(q));
        co_await corio::sleep(1ms);
        if (woken_first) {
            q.put_nowait(1);  // promised to a...
            REQUIRE(q.empty());
            REQUIRE_THROWS_AS(q.get_nowait(), corio::QueueEmpty);  // ...nobody else takes it
            a.cancel();  // ...and a is cancelled before it runs
        } else {
            a.cancel();  // while waiting
            co_await corio::sleep(0s);
            q.put_nowait(1);
        }
        REQUIRE(co_await outcome(a) == "cancelled");
        if (another_getter) {
            REQUIRE(co_await b == 1);
            REQUIRE(q.empty());
        } else {
            REQUIRE(q.qsize() == 1);
            REQUIRE(q.get_nowait() == 1);
        }
    };
    SECTION("cancelled while waiting") { loop.run_until_complete(race(false, true)); }
    SECTION("cancelled after an item was promised to it") {
        loop.run_until_complete(race(true, true));
    }
    SECTION("promised an item, cancelled, nobody else waiting") {
        loop.run_until_complete(race(true, false));
    }
}

TEST_CASE("a cancelled putter puts nothing and leaks no slot; maxsize holds throughout",
          "[queue]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto race = [](bool woken_first) -> Coro<std::vector<int>> {
        corio::Queue<int> q{1};
        q.put_nowait(0);
        Task<void> a = corio::create_task(putter(q, 1));
        Task<void> b = corio::create_task(putter(q, 2));
        co_await corio::sleep(1ms);
        if (woken_first) {
            REQUIRE(q.get_nowait() == 0);  // the slot is promised to a...
            REQUIRE(q.full());
            REQUIRE_THROWS_AS(q.put_nowait(9), corio::QueueFull);  // ...nobody barges in
            a.cancel();  // ...and a is cancelled before it runs
        } else {
            a.cancel();  // while waiting
            co_await corio::sleep(0s);
            REQUIRE(q.get_nowait() == 0);
        }
        REQUIRE(co_await outcome(a) == "cancelled");
        co_await b;  // b got the slot
        REQUIRE(q.qsize() == 1);
        co_return drain(q);
    };
    SECTION("cancelled while waiting") {
        REQUIRE(loop.run_until_complete(race(false)) == std::vector<int>{2});
    }
    SECTION("cancelled after a slot was promised to it") {
        REQUIRE(loop.run_until_complete(race(true)) == std::vector<int>{2});
    }
}

TEST_CASE("a joiner cancelled while waiting leaves the other joiners waiting", "[queue]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = []() -> Coro<void> {
        corio::Queue<int> q;
        q.put_nowait(1);
        auto joiner = [](corio::Queue<int>& q) -> Coro<void> { co_await q.join(); };
        Task<void> a = corio::create_task(joiner(q));
        Task<void> b = corio::create_task(joiner(q));
        co_await corio::sleep(1ms);
        a.cancel();
        REQUIRE(co_await outcome(a) == "cancelled");
        REQUIRE_FALSE(b.done());
        q.get_nowait();
        q.task_done();
        REQUIRE(co_await outcome(b) == "ok");
    };
    loop.run_until_complete(main());
}
