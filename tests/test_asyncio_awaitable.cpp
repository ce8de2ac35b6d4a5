// Any awaitable in the combinators, as asyncio takes any awaitable: wait_for, timeout, shield,
// gather, gather_settled, create_task, ensure_future and TaskGroup::create_task with a Coro, a
// Task, the library's awaitable calls (stream reads, to_thread) and an awaiter written by hand;
// the Awaitable concept and await_result_t. What does not compile cannot be a test; it is shown
// here as comments:
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

TEST_CASE("a lock's Holder comes through wait_for when the acquire is wrapped in a Coro",
          "[asyncio][awaitable]") {
    // The sync primitives' awaiters cannot be moved yet, so they reach the combinators through
    // a Coro; the move-only Holder result travels through the adapter and the deadline intact.
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    corio::Lock lock;
    auto acquire = [&]() -> Coro<corio::Lock::Holder> { co_return co_await lock.acquire(); };
    auto main = [&]() -> Coro<bool> {
        corio::Lock::Holder held = co_await corio::wait_for(acquire(), 1s);
        REQUIRE(lock.locked());
        bool timed_out =
            co_await corio_test::throws_as<corio::TimeoutError>(corio::wait_for(acquire(), 1s));
        REQUIRE(timed_out);
        held.release();
        REQUIRE_FALSE(lock.locked());  // the timed-out acquire kept nothing
        co_return true;
    };
    REQUIRE(loop.run_until_complete(main()));
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
