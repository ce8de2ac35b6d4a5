// Any awaitable in the combinators, as asyncio takes any awaitable: wait_for, timeout, shield,
// gather, gather_settled, create_task, ensure_future and TaskGroup::create_task with a Coro, a
// Task, the library's awaitable calls (stream reads, to_thread, the awaiters of Event, Lock,
// Semaphore, Condition and Queue, which a timeout leaves consistent) and an awaiter written by
// hand; the Awaitable concept and await_result_t. What does not compile cannot be a test; it
// is shown here as comments:
//     corio::wait_for(42, 1s);
//         static assertion failed: corio: this argument is not awaitable: it needs
//         await_ready/await_suspend/await_resume or an operator co_await ...
//     corio::create_task(task);
//         static assertion failed: corio::create_task of a Task: it already runs ...
//     corio::Coro<int> c = f(); corio::gather(c);
//         use of deleted function Coro(const Coro&): a Coro is passed as an rvalue
#include <catch2/catch.hpp>
#include <chrono>
#include <coroutine>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "corio/corio.hpp"
#include "net_support.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using corio::Coro;
using corio::Task;

namespace {

// A hand-written awaiter, as a user library might have: resumes the coroutine d later with v.
// It knows nothing of corio's cancellation, so nothing here ever cancels it.
class Later {
public:
    Later(std::chrono::milliseconds d, std::string v) : d_(d), v_(std::move(v)) {}
    bool await_ready() const noexcept { return d_.count() == 0; }
    void await_suspend(std::coroutine_handle<> h) {
        corio::Loop::current().call_later(d_, [h] { h.resume(); });
    }
    std::string await_resume() { return std::move(v_); }

private:
    std::chrono::milliseconds d_;
    std::string v_;
};

Coro<int> twice(int v) {
    co_await corio::sleep(1ms);
    co_return 2 * v;
}

}  // namespace

// The concept and the result type, checked at compile time.
static_assert(corio::Awaitable<Coro<int>>);
static_assert(corio::Awaitable<Task<std::string>>);
static_assert(corio::Awaitable<Later>);
static_assert(corio::Awaitable<decltype(std::declval<corio::Event&>().wait())>);
static_assert(corio::Awaitable<decltype(std::declval<corio::Lock&>().acquire())>);
// Movable before they are awaited, so the combinators can keep them in a frame.
static_assert(std::is_nothrow_move_constructible_v<corio::Event::WaitAwaiter>);
static_assert(std::is_nothrow_move_constructible_v<corio::Semaphore::AcquireAwaiter>);
static_assert(std::is_move_constructible_v<decltype(std::declval<corio::Queue<int>&>().put(1))>);
static_assert(
    std::is_nothrow_move_constructible_v<decltype(std::declval<corio::Queue<int>&>().get())>);
static_assert(
    std::is_nothrow_move_constructible_v<decltype(std::declval<corio::Queue<int>&>().join())>);
static_assert(!corio::Awaitable<int>);
static_assert(!corio::Awaitable<std::string>);
static_assert(!corio::Awaitable<std::vector<Coro<int>>>);
static_assert(std::is_same_v<corio::await_result_t<Coro<int>>, int>);
static_assert(std::is_same_v<corio::await_result_t<Task<void>>, void>);
static_assert(std::is_same_v<corio::await_result_t<Later>, std::string>);
static_assert(
    std::is_same_v<corio::await_result_t<decltype(std::declval<corio::Lock&>().acquire())>,
                   corio::Lock::Holder>);

TEST_CASE("wait_for and timeout take a hand-written awaiter", "[asyncio][awaitable]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = []() -> Coro<std::string> {
        std::string a = co_await corio::wait_for(Later(10ms, "a"), 1s);
        std::string b = co_await corio::timeout(1s, Later(0ms, "b"));
        co_return a + b;
    };
    REQUIRE(loop.run_until_complete(main()) == "ab");
}

TEST_CASE("wait_for on a stream read: the value, or TimeoutError with the stream still usable",
          "[asyncio][awaitable]") {
    corio::Loop loop;
    auto main = []() -> Coro<std::string> {
        auto [client, server] = co_await corio_test::connected_pair();
        bool timed_out = co_await corio_test::throws_as<corio::TimeoutError>(
            corio::wait_for(server.read(100), 20ms));
        REQUIRE(timed_out);
        client.write("hello");
        co_await client.drain();
        std::string got = co_await corio::wait_for(server.read(100), 5s);
        co_return got;
    };
    REQUIRE(loop.run_until_complete(main()) == "hello");
}

TEST_CASE("gather mixes a Coro, a Task, a library call and a hand-written awaiter",
          "[asyncio][awaitable]") {
    corio::Loop loop;
    auto main = []() -> Coro<std::string> {
        Task<int> t = corio::create_task(twice(5));
        auto [a, b, c, d] = co_await corio::wait_for(
            corio::gather(twice(1), t, corio::to_thread([] { return std::string("thread"); }),
                          Later(1ms, "later")),
            5s);
        co_return std::to_string(a) + std::to_string(b) + c + d;
    };
    REQUIRE(loop.run_until_complete(main()) == "210threadlater");
}

TEST_CASE("gather_settled and a vector of awaiters", "[asyncio][awaitable]") {
    corio::Loop loop;
    auto main = []() -> Coro<std::string> {
        std::vector<Later> waits;
        waits.emplace_back(3ms, "x");
        waits.emplace_back(1ms, "y");
        std::vector<std::string> in_order = co_await corio::gather(std::move(waits));
        auto [ok, bad] =
            co_await corio::gather_settled(Later(1ms, "z"), corio_test::fail_after(1ms, "broken"));
        REQUIRE(ok.has_value());
        REQUIRE_FALSE(bad.has_value());
        co_return in_order[0] + in_order[1] + ok.value();
    };
    REQUIRE(loop.run_until_complete(main()) == "xyz");
}

TEST_CASE("create_task, ensure_future and a group's create_task take any awaitable",
          "[asyncio][awaitable]") {
    corio::Loop loop;
    auto main = []() -> Coro<std::string> {
        Task<std::string> a = corio::create_task(Later(1ms, "a"), "later-a");
        REQUIRE(a.name() == "later-a");
        Task<std::string> b = corio::ensure_future(Later(1ms, "b"));
        Task<std::string> same = corio::ensure_future(b);
        REQUIRE(same == b);
        corio::TaskGroup group;
        Task<std::string> c = group.create_task(Later(2ms, "c"));
        co_await group.wait();
        co_return co_await a + co_await b + c.result();
    };
    REQUIRE(loop.run_until_complete(main()) == "abc");
}

TEST_CASE("shield takes a Coro and any awaitable: the shielded work runs on after a cancel",
          "[asyncio][awaitable][shield]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    bool finished = false;
    auto slow = [&]() -> Coro<int> {
        co_await corio::sleep(50ms);
        finished = true;
        co_return 1;
    };
    auto main = [&]() -> Coro<std::string> {
        std::string v = co_await corio::shield(Later(1ms, "shielded"));
        bool timed_out = co_await corio_test::throws_as<corio::TimeoutError>(
            corio::wait_for(corio::shield(slow()), 10ms));
        REQUIRE(timed_out);
        REQUIRE_FALSE(finished);
        co_await corio::sleep(100ms);
        REQUIRE(finished);  // the shield's task was not cancelled by the deadline
        co_return v;
    };
    REQUIRE(loop.run_until_complete(main()) == "shielded");
}

TEST_CASE("the sync primitives' awaiters go through wait_for: the value when in time",
          "[asyncio][awaitable][sync]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    corio::Event ready;
    corio::Lock lock;
    corio::Semaphore sem{0};
    corio::Queue<int> q{1};
    corio::Condition cond;
    bool flag = false;
    auto main = [&]() -> Coro<int> {
        auto& l = corio::Loop::current();
        l.call_later(10ms, [&] { ready.set(); });
        co_await corio::wait_for(ready.wait(), 5s);
        REQUIRE(clock.now() == corio::ManualClock::time_point{} + 1h + 10ms);

        corio::Lock::Holder held = co_await corio::wait_for(lock.acquire(), 1s);
        REQUIRE(held.held());
        REQUIRE(lock.locked());
        l.call_later(10ms, [&] { sem.release(); });
        corio::Semaphore::Holder permit = co_await corio::wait_for(sem.acquire(), 1s);
        REQUIRE(permit.held());
        REQUIRE(sem.value() == 0);

        l.call_later(10ms, [&] { q.put_nowait(7); });
        int got = co_await corio::wait_for(q.get(), 1s);
        q.put_nowait(8);  // full now: the next put waits for a get
        l.call_later(10ms, [&] { q.get_nowait(); });
        co_await corio::wait_for(q.put(9), 1s);
        REQUIRE(q.get_nowait() == 9);
        l.call_later(10ms, [&] {
            for (int i = 0; i < 3; ++i) q.task_done();
        });
        co_await corio::wait_for(q.join(), 1s);

        auto cheld = co_await corio::wait_for(cond.acquire(), 1s);
        auto notify = [&]() -> Coro<void> {  // named: the closure outlives the task
            auto h = co_await cond.acquire();
            flag = true;
            cond.notify_all();
        };
        Task<void> notifier = corio::create_task(notify());
        co_await corio::wait_for(cond.wait(cheld), 1s);
        REQUIRE(cheld.held());
        cheld.release();
        co_await notifier;
        auto again = co_await cond.acquire();
        co_await corio::wait_for(cond.wait_for(again, [&] { return flag; }), 1s);
        co_return got;
    };
    REQUIRE(loop.run_until_complete(main()) == 7);
    REQUIRE_FALSE(lock.locked());
    REQUIRE(sem.value() == 1);
}

TEST_CASE("a sync awaiter that times out in wait_for leaves its primitive consistent",
          "[asyncio][awaitable][sync]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    corio::Lock lock;
    corio::Semaphore sem{0};
    corio::Queue<int> q{1};
    corio::Event never;
    auto main = [&]() -> Coro<bool> {
        using corio::TimeoutError;
        using corio_test::throws_as;
        bool timed_out1 = co_await throws_as<TimeoutError>(corio::wait_for(never.wait(), 5s));
        REQUIRE(timed_out1);
        auto waited = clock.now() - (corio::ManualClock::time_point{} + 1h);
        REQUIRE(waited == 5s);

        corio::Lock::Holder held = co_await lock.acquire();
        bool timed_out2 = co_await throws_as<TimeoutError>(corio::wait_for(lock.acquire(), 1s));
        REQUIRE(timed_out2);
        held.release();
        REQUIRE_FALSE(lock.locked());  // the timed-out acquire holds nothing
        bool timed_out3 = co_await throws_as<TimeoutError>(corio::wait_for(sem.acquire(), 1s));
        REQUIRE(timed_out3);
        REQUIRE(sem.waiters() == 0);
        sem.release();
        REQUIRE(sem.value() == 1);  // the permit was not handed to the gone waiter

        bool timed_out4 = co_await throws_as<TimeoutError>(corio::wait_for(q.get(), 1s));
        REQUIRE(timed_out4);
        Task<int> getter = corio::create_task(q.get());
        co_await corio::sleep(0s);
        co_await q.put(5);  // the timed-out get took nothing and is not served: the next getter is
        int got = co_await corio::wait_for(getter, 1s);
        REQUIRE(got == 5);
        q.put_nowait(6);
        bool timed_out6 = co_await throws_as<TimeoutError>(corio::wait_for(q.put(7), 1s));
        REQUIRE(timed_out6);
        REQUIRE(q.qsize() == 1);  // the timed-out put added nothing
        REQUIRE(q.get_nowait() == 6);
        REQUIRE(q.empty());
        bool timed_out7 = co_await throws_as<TimeoutError>(corio::wait_for(q.join(), 1s));
        REQUIRE(timed_out7);
        co_return true;
    };
    REQUIRE(loop.run_until_complete(main()));
}

TEST_CASE("gather, shield and create_task take the sync awaiters", "[asyncio][awaitable][sync]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    corio::Event ready;
    corio::Lock lock;
    auto main = [&]() -> Coro<int> {
        Task<void> waiter = corio::create_task(ready.wait());
        Task<int> t = corio::create_task(twice(4));
        corio::Loop::current().call_later(20ms, [&] { ready.set(); });
        auto [a, b, c] = co_await corio::wait_for(corio::gather(ready.wait(), t, twice(3)), 1s);
        REQUIRE(clock.now() == corio::ManualClock::time_point{} + 1h + 20ms);
        co_await corio::wait_for(waiter, 1s);
        REQUIRE(waiter.done());

        // The outer deadline cancels only the wait for the shield: the shielded acquire stays
        // queued, so a release hands the lock to it rather than freeing it.
        corio::Lock::Holder held = co_await corio::shield(lock.acquire());
        bool timed_out = co_await corio_test::throws_as<corio::TimeoutError>(
            corio::wait_for(corio::shield(lock.acquire()), 10ms));
        REQUIRE(timed_out);
        held.release();
        REQUIRE(lock.locked());
        corio::Lock::Holder later = co_await corio::wait_for(lock.acquire(), 1s);
        REQUIRE(later.held());
        co_return b + c;
    };
    REQUIRE(loop.run_until_complete(main()) == 14);
}

TEST_CASE("wait_for, shield and gather take corio::sleep", "[asyncio][awaitable]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = []() -> Coro<int> {
        co_await corio::wait_for(corio::sleep(10ms), 1s);  // done before the deadline
        bool timed_out = co_await corio_test::throws_as<corio::TimeoutError>(
            corio::wait_for(corio::sleep(1s), 10ms));
        REQUIRE(timed_out);
        co_await corio::shield(corio::sleep(5ms));
        auto start = corio::Loop::current().time();
        co_await corio::gather(corio::sleep(30ms), corio::sleep(20ms));
        co_return int(std::chrono::duration_cast<std::chrono::milliseconds>(
                          corio::Loop::current().time() - start)
                          .count());
    };
    REQUIRE(loop.run_until_complete(main()) == 30);  // the two sleeps ran at once
}
