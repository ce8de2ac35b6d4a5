// The waiters of Lock, Semaphore, Event, Condition and Queue at scale and at their edges: many
// waiters served in arrival order with cancelled ones skipped, a waiter's deadline (wait_for on
// the awaiter itself) ending only its own wait, a waiter woken and then destroyed giving back what
// it was handed, and primitives fed from other threads through call_soon_threadsafe.
#include <catch2/catch.hpp>
#include <chrono>
#include <coroutine>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "corio/corio.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using corio::Coro;
using corio::Task;
using corio_test::outcome;

namespace {

constexpr int kMany = 1000;

Coro<void> take_lock(corio::Lock& lock, std::vector<int>& log, int i) {
    auto held = co_await lock.acquire();
    log.push_back(i);
}

Coro<void> take_permit(corio::Semaphore& sem, std::vector<int>& log, int i) {
    auto held = co_await sem.acquire();
    log.push_back(i);
    co_await corio::sleep(1ms);
}

// Whether f throws corio::TimeoutError.
template <class F>
Coro<bool> times_out(F f) {
    try {
        co_await f();
    } catch (const corio::TimeoutError&) {
        co_return true;
    }
    co_return false;
}

Coro<int> value_after(std::chrono::milliseconds d, int v) {
    co_await corio::sleep(d);
    co_return v;
}

// A coroutine type that is not corio's: what it awaits waits outside any task.
struct Detached {
    struct promise_type {
        Detached get_return_object() noexcept { return {}; }
        std::suspend_never initial_suspend() noexcept { return {}; }
        std::suspend_never final_suspend() noexcept { return {}; }
        void return_void() noexcept {}
        void unhandled_exception() noexcept { std::terminate(); }
    };
};

Detached next_outside_a_task(corio::AsCompleted<int>& it, int& got) {
    std::optional<Task<int>> t = co_await it.next();
    got = t ? t->result() : -1;
}

}  // namespace

TEST_CASE("1,000 Lock waiters get the lock in arrival order, the cancelled ones skipped",
          "[sync][lock]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<int> log, expected;
    auto main = [&]() -> Coro<void> {
        corio::Lock lock;
        std::optional<corio::Lock::Holder> held{co_await lock.acquire()};
        std::vector<Task<void>> ts;
        for (int i = 0; i < kMany; ++i) ts.push_back(corio::create_task(take_lock(lock, log, i)));
        co_await corio::sleep(0s);  // all queued
        for (int i = 0; i < kMany; ++i) {
            if (i % 3 == 0) {
                ts[i].cancel();
            } else {
                expected.push_back(i);
            }
        }
        held.reset();
        for (int i = 0; i < kMany; ++i) {
            std::string how = co_await outcome(ts[i]);
            REQUIRE(how == (i % 3 == 0 ? "cancelled" : "ok"));
        }
        REQUIRE_FALSE(lock.locked());
    };
    loop.run_until_complete(main());
    REQUIRE(log == expected);
}

TEST_CASE("1,000 Semaphore(3) waiters: FIFO, never more than 3 in, permits all come back",
          "[sync][semaphore]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<int> log;
    auto main = [&]() -> Coro<void> {
        corio::Semaphore sem{0};
        std::vector<Task<void>> ts;
        for (int i = 0; i < kMany; ++i) ts.push_back(corio::create_task(take_permit(sem, log, i)));
        co_await corio::sleep(0s);
        REQUIRE(sem.waiters() == kMany);
        for (int i = 0; i < 3; ++i) sem.release();  // each goes straight to a waiter
        REQUIRE(sem.value() == 0);
        REQUIRE(sem.waiters() == kMany - 3);
        for (auto& t : ts) co_await t;
        REQUIRE(sem.value() == 3);
        REQUIRE(sem.waiters() == 0);
    };
    loop.run_until_complete(main());
    REQUIRE(log.size() == kMany);
    for (int i = 0; i < kMany; ++i) REQUIRE(log[i] == i);
}

TEST_CASE("1,000 getters take items in arrival order; set() wakes 1,000 Event waiters",
          "[sync][queue][event]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = []() -> Coro<void> {
        corio::Queue<int> q;
        auto getter = [](corio::Queue<int>& q) -> Coro<int> { co_return co_await q.get(); };
        std::vector<Task<int>> gs;
        for (int i = 0; i < kMany; ++i) gs.push_back(corio::create_task(getter(q)));
        co_await corio::sleep(0s);
        for (int i = 0; i < kMany; ++i) q.put_nowait(i);
        REQUIRE(q.empty());  // every item is promised to a getter
        for (int i = 0; i < kMany; ++i) REQUIRE(co_await gs[i] == i);

        corio::Event ev;
        auto waiter = [](corio::Event& ev) -> Coro<void> { co_await ev.wait(); };
        std::vector<Task<void>> ws;
        for (int i = 0; i < kMany; ++i) ws.push_back(corio::create_task(waiter(ev)));
        co_await corio::sleep(0s);
        ev.set();
        ev.clear();  // too late to stop those already woken
        ws[kMany / 2].cancel();
        for (int i = 0; i < kMany; ++i) {
            std::string how = co_await outcome(ws[i]);
            REQUIRE(how == (i == kMany / 2 ? "cancelled" : "ok"));
        }
    };
    loop.run_until_complete(main());
}

TEST_CASE("a waiter whose deadline passes leaves the queue; the next one is served",
          "[sync][timeout]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    SECTION("Lock and Semaphore") {
        auto main = []() -> Coro<void> {
            corio::Semaphore sem{0};
            std::vector<int> log;
            Task<void> next = corio::create_task(take_permit(sem, log, 2));
            co_await corio::sleep(0s);
            auto timed = [&]() -> Coro<void> {
                auto h = co_await corio::wait_for(sem.acquire(), 5ms);
            };
            // Queued behind `next`, gives up after 5 ms: no permit is left behind with it.
            bool timed_timed_out = co_await times_out(timed);
            REQUIRE(timed_timed_out);
            REQUIRE(sem.waiters() == 1);
            sem.release();
            co_await next;
            REQUIRE(log == std::vector<int>{2});
            REQUIRE(sem.value() == 1);

            corio::Lock lock;
            auto held = co_await lock.acquire();
            auto timed_lock = [&]() -> Coro<void> {
                auto h = co_await corio::wait_for(lock.acquire(), 5ms);
            };
            bool timed_lock_timed_out = co_await times_out(timed_lock);
            REQUIRE(timed_lock_timed_out);
            held.release();
            REQUIRE_FALSE(lock.locked());
        };
        loop.run_until_complete(main());
    }
    SECTION("Event and Queue get, put and join") {
        auto main = []() -> Coro<void> {
            corio::Event ev;
            auto wait_ev = [&]() -> Coro<void> { co_await corio::wait_for(ev.wait(), 5ms); };
            bool wait_ev_timed_out = co_await times_out(wait_ev);
            REQUIRE(wait_ev_timed_out);
            corio::Queue<int> q{1};
            auto get1 = [&]() -> Coro<void> { co_await corio::wait_for(q.get(), 5ms); };
            bool get1_timed_out = co_await times_out(get1);
            REQUIRE(get1_timed_out);
            q.put_nowait(1);  // no getter left to promise it to
            REQUIRE(q.qsize() == 1);
            auto put2 = [&]() -> Coro<void> { co_await corio::wait_for(q.put(2), 5ms); };
            bool put2_timed_out = co_await times_out(put2);
            REQUIRE(put2_timed_out);
            auto join1 = [&]() -> Coro<void> { co_await corio::wait_for(q.join(), 5ms); };
            bool join1_timed_out = co_await times_out(join1);
            REQUIRE(join1_timed_out);
            REQUIRE(q.get_nowait() == 1);  // the timed-out put added nothing
            REQUIRE(q.empty());
            q.put_nowait(3);  // and holds no slot
            REQUIRE(q.full());
        };
        loop.run_until_complete(main());
    }
    SECTION("Condition: the lock is taken back before the TimeoutError") {
        auto main = []() -> Coro<void> {
            corio::Condition cond;
            auto held = co_await cond.acquire();
            auto wait = [&]() -> Coro<void> { co_await corio::wait_for(cond.wait(held), 5ms); };
            bool wait_timed_out = co_await times_out(wait);
            REQUIRE(wait_timed_out);
            REQUIRE(held.held());
            REQUIRE(cond.locked());
            REQUIRE(cond.waiters() == 0);
        };
        loop.run_until_complete(main());
    }
}

TEST_CASE("a permit released in the same tick as the waiter's deadline is taken, not lost",
          "[sync][timeout]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = []() -> Coro<size_t> {
        corio::Semaphore sem{0};
        corio::Loop::current().call_later(3s, [&] { sem.release(); });
        auto h = co_await corio::wait_for(sem.acquire(), 3s);
        REQUIRE(h.held());
        REQUIRE(sem.value() == 0);
        h.release();
        co_return sem.value();
    };
    REQUIRE(loop.run_until_complete(main()) == 1);
}

TEST_CASE("a waiter woken and destroyed before it runs gives back what it was handed",
          "[sync][semaphore][queue]") {
    // main wakes the waiter and returns at once; the loop closes with the waiter scheduled but
    // not yet resumed, destroying its frame and the awaiter in it.
    corio::Semaphore sem{0};
    corio::Queue<int> items;
    corio::Queue<int> slots{1};
    std::string err = corio_test::capture_stderr([&] {
        corio::ManualClock clock;
        corio::Loop loop({.clock = &clock});
        auto take = [](corio::Semaphore& s) -> Coro<void> { auto h = co_await s.acquire(); };
        auto get = [](corio::Queue<int>& q) -> Coro<void> { co_await q.get(); };
        auto put = [](corio::Queue<int>& q) -> Coro<void> { co_await q.put(2); };
        slots.put_nowait(1);
        Task<void> a = loop.create_task(take(sem));
        Task<void> b = loop.create_task(get(items));
        Task<void> c = loop.create_task(put(slots));
        auto main = [&]() -> Coro<void> {
            co_await corio::sleep(1ms);
            sem.release();        // handed to a
            items.put_nowait(7);  // promised to b
            slots.get_nowait();   // slot promised to c
        };
        loop.run_until_complete(main());
        REQUIRE_FALSE(a.done());
    });
    REQUIRE_THAT(err, Catch::Contains("destroyed but it is pending"));
    REQUIRE(sem.value() == 1);
    REQUIRE(items.qsize() == 1);
    REQUIRE(items.get_nowait() == 7);
    REQUIRE(slots.empty());
    REQUIRE_FALSE(slots.full());
}

TEST_CASE("a Queue and an Event fed from other threads through call_soon_threadsafe",
          "[sync][queue][threads]") {
    corio::Loop loop;
    constexpr int kThreads = 4, kEach = 500;
    corio::Queue<int> q;
    corio::Event done;
    auto main = [&]() -> Coro<long> {
        std::vector<std::thread> threads;
        struct Joiner {  // joins on every way out, a failed wait_for included
            std::vector<std::thread>& ts;
            ~Joiner() {
                for (auto& th : ts) th.join();
            }
        } joiner{threads};
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&loop, &q, &done, t] {
                for (int i = 0; i < kEach; ++i) {
                    loop.call_soon_threadsafe([&q, v = t * kEach + i] { q.put_nowait(v); });
                }
                if (t == 0) loop.call_soon_threadsafe([&done] { done.set(); });
            });
        }
        auto consume = [&]() -> Coro<long> {
            long sum = 0;
            for (int i = 0; i < kThreads * kEach; ++i) sum += co_await q.get();
            co_await done.wait();
            co_return sum;
        };
        co_return co_await corio::wait_for(consume(), 20s);
    };
    long n = kThreads * kEach;
    REQUIRE(loop.run_until_complete(main()) == n * (n - 1) / 2);
}

TEST_CASE("a waiter awaited again outside any task forgets the task of its last wait",
          "[sync][park][as_completed]") {
    // as_completed's iterator parks once per next(). Its first wait ran in a task that is gone
    // when the second wait, outside any task, is woken: nothing may reach the freed task.
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = []() -> Coro<int> {
        Task<int> fast = corio::create_task(value_after(1ms, 1));
        Task<int> slow = corio::create_task(value_after(5ms, 2));
        std::vector<Task<int>> both{fast, slow};
        auto it = corio::as_completed(std::move(both));
        {
            auto first = [&]() -> Coro<int> {
                std::optional<Task<int>> t = co_await it.next();
                co_return co_await *t;
            };
            Task<int> a = corio::create_task(first());
            int v = co_await a;
            REQUIRE(v == 1);
        }  // the last handle of a: its state is freed
        int got = 0;
        next_outside_a_task(it, got);
        co_await corio::sleep(10ms);
        co_return got;
    };
    REQUIRE(loop.run_until_complete(main()) == 2);
}
