// The firing comparison: arm 1,000,000 timers (deadlines in [0, 10 s)), cancel every
// other one, then fire the rest, walking the clock 1 ms at a time. The wheel forgets a cancelled
// timer at once; the heap with lazy deletion still pops every cancelled entry.
#include <chrono>
#include <cstdint>
#include <functional>
#include <queue>
#include <random>
#include <utility>
#include <vector>

#include "bench.hpp"
#include "reactor/timer_wheel.hpp"

namespace bench {

namespace {

using Clock = std::chrono::steady_clock;
constexpr int64_t kMs = 1'000'000;
constexpr int64_t kSpan = 10'000 * kMs;
constexpr size_t kTimers = 1'000'000;

size_t g_fired = 0;
void count(corio::detail::TimerNode*) { ++g_fired; }

double ms_since(Clock::time_point t) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

void bench_fire_half_cancelled(Report& out) {
    std::mt19937_64 rng(7);
    std::uniform_int_distribution<int64_t> pick(0, kSpan - 1);
    std::vector<int64_t> deadlines(kTimers);
    for (auto& d : deadlines) d = pick(rng);

    std::vector<corio::detail::TimerNode> nodes(kTimers);
    corio::detail::TimerWheel wheel(0);
    for (size_t i = 0; i < kTimers; ++i) {
        nodes[i].deadline = deadlines[i];
        nodes[i].fire = count;
        wheel.insert(&nodes[i]);
    }
    for (size_t i = 0; i < kTimers; i += 2) wheel.cancel(&nodes[i]);
    g_fired = 0;
    auto t0 = Clock::now();
    for (int64_t now = kMs; now <= kSpan; now += kMs) {
        wheel.advance(now);
        while (auto* t = wheel.pop_expired()) t->fire(t);
    }
    double wheel_ms = ms_since(t0);
    size_t wheel_fired = g_fired;

    using Entry = std::pair<int64_t, uint32_t>;
    std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap;
    std::vector<char> cancelled(kTimers, 0);
    for (size_t i = 0; i < kTimers; ++i) heap.emplace(deadlines[i], static_cast<uint32_t>(i));
    for (size_t i = 0; i < kTimers; i += 2) cancelled[i] = 1;
    size_t heap_fired = 0;
    t0 = Clock::now();
    for (int64_t now = kMs; now <= kSpan; now += kMs) {
        while (!heap.empty() && heap.top().first <= now) {
            if (!cancelled[heap.top().second]) ++heap_fired;
            heap.pop();
        }
    }
    double heap_ms = ms_since(t0);
    if (wheel_fired != heap_fired || wheel_fired != kTimers / 2) {
        out.push_back({"fire bench: fired counts differ (wheel - heap)",
                       static_cast<double>(wheel_fired) - static_cast<double>(heap_fired),
                       "timers"});
    }
    out.push_back({"fire 1M timers, half cancelled: wheel", wheel_ms, "ms"});
    out.push_back({"fire 1M timers, half cancelled: binary heap", heap_ms, "ms"});
}

}  // namespace

CORIO_BENCH("timers: firing, half cancelled", bench_fire_half_cancelled);

}  // namespace bench
