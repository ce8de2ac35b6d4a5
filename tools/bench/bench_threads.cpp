// Thread bridges: the round trip of to_thread(empty function), call_soon_threadsafe throughput
// from two producer threads, and the seed's context-switch comparison: two coroutines
// ping-ponging through the loop against two threads ping-ponging through a condition variable.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <coroutine>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "bench.hpp"
#include "corio/corio.hpp"
#include "corio/detail/loop_access.hpp"

namespace bench {

namespace {

using Clock = std::chrono::steady_clock;

double ns_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
}

double percentile(std::vector<double>& v, double p) {
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

// ---- to_thread round trip ----

corio::Coro<std::vector<double>> to_thread_round_trips(int n) {
    std::vector<double> us;
    us.reserve(n);
    for (int i = 0; i < 200; ++i) co_await corio::to_thread([] {});  // warm the pool
    for (int i = 0; i < n; ++i) {
        auto t0 = Clock::now();
        co_await corio::to_thread([] {});
        us.push_back(ns_since(t0) / 1000);
    }
    co_return us;
}

void bench_to_thread(Report& out) {
    std::vector<double> us = corio::run(to_thread_round_trips(20000));
    out.push_back({"to_thread(empty) round trip, p50", percentile(us, 0.50), "us", "< 20"});
    out.push_back({"to_thread(empty) round trip, p99", percentile(us, 0.99), "us"});
}

// ---- call_soon_threadsafe from two producers ----

void bench_call_soon_threadsafe(Report& out) {
    constexpr int kProducers = 2;
    constexpr long kPerProducer = 1'000'000;
    corio::Loop loop;
    long ran = 0;
    auto t0 = Clock::now();
    std::vector<std::thread> producers;
    for (int p = 0; p < kProducers; ++p) {
        producers.emplace_back([&] {
            for (long i = 0; i < kPerProducer; ++i) {
                loop.call_soon_threadsafe([&] {
                    if (++ran == kProducers * kPerProducer) loop.stop();
                });
            }
        });
    }
    loop.run_forever();
    double secs = ns_since(t0) / 1e9;
    for (auto& t : producers) t.join();
    out.push_back({"call_soon_threadsafe, 2 producer threads", kProducers * kPerProducer / secs,
                   "calls/s", ">= 2000000"});
}

// ---- context switches: coroutines vs threads ----

// Two tasks hand a baton back and forth: each await parks the caller and schedules the other,
// so one await is one switch through the loop's ready queue.
struct Baton {
    std::coroutine_handle<> parked{};
    long switches = 0;
};

struct PassBaton {
    Baton& b;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) {
        std::coroutine_handle<> other = b.parked;
        b.parked = h;
        ++b.switches;
        if (other) corio::detail::LoopAccess::schedule(corio::Loop::current(), other);
    }
    void await_resume() const noexcept {}
};

corio::Coro<void> ping(Baton& b, long n) {
    for (long i = 0; i < n; ++i) {
        PassBaton pass{b};
        co_await pass;
    }
}

corio::Coro<double> coroutine_switches(long n) {
    Baton b;
    auto a = corio::create_task(ping(b, n));
    auto c = corio::create_task(ping(b, n));
    auto t0 = Clock::now();
    co_await a;
    double ns = ns_since(t0);
    // The last one parked is never woken by the other: wake it so it can finish.
    if (b.parked)
        corio::detail::LoopAccess::schedule(corio::Loop::current(), std::exchange(b.parked, {}));
    co_await c;
    co_return ns / static_cast<double>(b.switches);
}

double thread_switches(long n) {
    std::mutex mu;
    std::condition_variable cv;
    int turn = 0;
    auto player = [&](int me) {
        std::unique_lock<std::mutex> lk(mu);
        for (long i = 0; i < n; ++i) {
            cv.wait(lk, [&] { return turn == me; });
            turn = 1 - me;
            cv.notify_one();
        }
    };
    auto t0 = Clock::now();
    std::thread a(player, 0);
    std::thread b(player, 1);
    a.join();
    b.join();
    return ns_since(t0) / static_cast<double>(2 * n);
}

void bench_switches(Report& out) {
    double coro = corio::run(coroutine_switches(2'000'000));
    double thread = thread_switches(100'000);
    out.push_back({"context switch: two coroutines via the loop", coro, "ns/switch"});
    out.push_back({"context switch: two threads via a condition variable", thread, "ns/switch"});
    out.push_back({"context switch: threads / coroutines", thread / coro, "x", ">= 100"});
}

}  // namespace

CORIO_BENCH("threads: to_thread round trip", bench_to_thread);
CORIO_BENCH("threads: call_soon_threadsafe throughput", bench_call_soon_threadsafe);
CORIO_BENCH("threads: coroutine vs thread switch", bench_switches);

}  // namespace bench
