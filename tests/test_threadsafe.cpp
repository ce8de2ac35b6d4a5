// Sync calling async: call_soon_threadsafe (wakes a sleeping loop, per-thread order, many
// threads at once) and run_coroutine_threadsafe (value, exception type, cancellation and a
// closed loop all come back through the std::future). Real threads and the real clock.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "corio/corio.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using corio::Coro;

namespace {

// A loop running on its own thread until destroyed; then it is shut down (leftover tasks are
// cancelled) and closed on that thread.
class LoopThread {
public:
    LoopThread() {
        auto f = started_.get_future();
        thread_ = std::thread([this] {
            corio::Loop loop;
            started_.set_value(&loop);
            loop.run_forever();
            loop.shutdown();
        });
        loop_ = f.get();
    }
    ~LoopThread() {
        corio::Loop* l = loop_;
        l->call_soon_threadsafe([l] { l->stop(); });
        thread_.join();
    }
    corio::Loop& loop() { return *loop_; }
    std::thread::id id() const { return thread_.get_id(); }

private:
    std::promise<corio::Loop*> started_;
    corio::Loop* loop_ = nullptr;
    std::thread thread_;
};

struct ParseError : std::runtime_error {
    int line;
    explicit ParseError(int l) : std::runtime_error("parse error"), line(l) {}
};

Coro<int> answer_later(int v) {
    co_await corio::sleep(1ms);
    co_return v;
}

Coro<int> sleep_forever() {
    co_await corio::sleep(1h);
    co_return 0;
}

Coro<int> parse_fails(int line) {
    co_await corio::sleep(1ms);
    throw ParseError(line);
}

}  // namespace

TEST_CASE("call_soon_threadsafe wakes a loop blocked in its poller", "[threadsafe]") {
    LoopThread lt;
    std::this_thread::sleep_for(5ms);  // let it settle into an unbounded poll
    std::promise<std::thread::id> ran_on;
    auto f = ran_on.get_future();
    lt.loop().call_soon_threadsafe([&] { ran_on.set_value(std::this_thread::get_id()); });
    REQUIRE(f.wait_for(10s) == std::future_status::ready);
    REQUIRE(f.get() == lt.id());
}

TEST_CASE("call_soon_threadsafe from many threads at once runs each thread's calls in order",
          "[threadsafe]") {
    constexpr int kThreads = 4;
    constexpr int kCalls = 20000;
    std::vector<std::vector<int>> seen(kThreads);  // touched on the loop thread only
    {
        LoopThread lt;
        std::vector<std::thread> producers;
        for (int t = 0; t < kThreads; ++t) {
            producers.emplace_back([&, t] {
                for (int i = 0; i < kCalls; ++i) {
                    lt.loop().call_soon_threadsafe([&seen, t, i] { seen[t].push_back(i); });
                }
            });
        }
        for (auto& p : producers) p.join();
    }  // the stop request is queued after every call above, so all of them ran
    for (int t = 0; t < kThreads; ++t) {
        REQUIRE(seen[t].size() == kCalls);
        bool ordered = true;
        for (int i = 0; i < kCalls; ++i) ordered = ordered && seen[t][i] == i;
        REQUIRE(ordered);
    }
}

TEST_CASE("a callback posted to a closed loop is released without running", "[threadsafe]") {
    auto token = std::make_shared<int>(0);
    bool ran = false;
    corio::Loop loop;
    loop.close();
    loop.call_soon_threadsafe([token, &ran] { ran = true; });
    REQUIRE_FALSE(ran);
    REQUIRE(token.use_count() == 1);
}

TEST_CASE("run_coroutine_threadsafe returns the coroutine's value through a future",
          "[threadsafe]") {
    LoopThread lt;
    std::future<int> f = corio::run_coroutine_threadsafe(answer_later(42), lt.loop());
    REQUIRE(f.wait_for(10s) == std::future_status::ready);
    REQUIRE(f.get() == 42);
    auto void_coro = []() -> Coro<void> { co_await corio::sleep(1ms); };
    std::future<void> v = corio::run_coroutine_threadsafe(void_coro(), lt.loop());
    REQUIRE(v.wait_for(10s) == std::future_status::ready);
    REQUIRE_NOTHROW(v.get());
}

TEST_CASE("run_coroutine_threadsafe rethrows the coroutine's exception with its type",
          "[threadsafe]") {
    LoopThread lt;
    std::future<int> f = corio::run_coroutine_threadsafe(parse_fails(17), lt.loop());
    int line = 0;
    try {
        f.get();
    } catch (const ParseError& e) {
        line = e.line;
    }
    REQUIRE(line == 17);
}

TEST_CASE("run_coroutine_threadsafe from two threads at once, values and exceptions",
          "[threadsafe]") {
    LoopThread lt;
    auto client = [&](int base, int& ok) {
        for (int i = 0; i < 100; ++i) {
            if (i % 3 == 0) {
                try {
                    corio::run_coroutine_threadsafe(parse_fails(base + i), lt.loop()).get();
                } catch (const ParseError& e) {
                    ok += e.line == base + i;
                }
            } else {
                ok += corio::run_coroutine_threadsafe(answer_later(base + i), lt.loop()).get() ==
                      base + i;
            }
        }
    };
    int a = 0, b = 0;
    std::thread ta([&] { client(0, a); });
    std::thread tb([&] { client(1000, b); });
    ta.join();
    tb.join();
    REQUIRE(a == 100);
    REQUIRE(b == 100);
}

TEST_CASE("a coroutine cancelled by the loop's shutdown reports CancelledError", "[threadsafe]") {
    std::future<int> f;
    {
        LoopThread lt;
        f = corio::run_coroutine_threadsafe(sleep_forever(), lt.loop());
    }  // the loop thread stops, shutdown() cancels the pending task
    REQUIRE(f.wait_for(10s) == std::future_status::ready);
    REQUIRE_THROWS_AS(f.get(), corio::CancelledError);
}

TEST_CASE("a loop closed before the coroutine ran reports CancelledError, not a broken promise",
          "[threadsafe]") {
    corio::Loop closed;
    closed.close();
    auto f = corio::run_coroutine_threadsafe(answer_later(1), closed);
    REQUIRE_THROWS_AS(f.get(), corio::CancelledError);

    std::future<int> queued;
    {
        corio::Loop never_run;
        queued = corio::run_coroutine_threadsafe(answer_later(2), never_run);
    }  // closing drops the submission still in the inbox
    REQUIRE_THROWS_AS(queued.get(), corio::CancelledError);
}

TEST_CASE("a loop closed with the coroutine still pending reports CancelledError", "[threadsafe]") {
    std::future<int> f;
    std::string err = corio_test::capture_stderr([&] {
        corio::ManualClock clock;
        corio::Loop loop({.clock = &clock});
        f = corio::run_coroutine_threadsafe(sleep_forever(), loop);
        auto brief = []() -> Coro<void> { co_await corio::sleep(1ms); };
        loop.run_until_complete(brief());
    });  // closed without shutdown(): the pending task's frame is destroyed
    REQUIRE_THROWS_AS(f.get(), corio::CancelledError);
    REQUIRE_THAT(err, Catch::Contains("destroyed but it is pending"));
}
