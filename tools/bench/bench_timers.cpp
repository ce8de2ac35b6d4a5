// Timer benchmarks: corio's timing wheel against the usual binary heap with lazy deletion, for
// arming/cancelling timers with 1M already live and for firing them. Measures only the data
// structures (no event loop); build with -DBENCH_TIMERS_MAIN to run this file on its own.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <queue>
#include <random>
#include <utility>
#include <vector>

#include "reactor/timer_wheel.hpp"
#include "bench.hpp"

namespace bench {

namespace {

using Clock = std::chrono::steady_clock;
using corio::detail::TimerNode;
using corio::detail::TimerWheel;

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kSpan = 10'000 * kMs;  // deadlines are uniform in [0, 10 s)
constexpr size_t kLive = 1'000'000;      // timers armed before measuring
constexpr size_t kMeasured = 1'000'000;  // inserts measured; every other one is then cancelled

double elapsed_ns(Clock::time_point since) {
    return std::chrono::duration<double, std::nano>(Clock::now() - since).count();
}

// Same deadlines for both structures, drawn before any clock is read.
std::vector<int64_t> make_deadlines() {
    std::mt19937_64 rng(42);
    std::uniform_int_distribution<int64_t> pick(0, kSpan - 1);
    std::vector<int64_t> deadlines(kLive + kMeasured);
    for (auto& d : deadlines) d = pick(rng);
    return deadlines;
}

struct Result {
    double insert_cancel_ns;  // per measured insert (with half a cancel each)
    double fire_ms;
    size_t fired;
};

// What a loop does when a timer fires, reduced to something the optimizer cannot drop.
size_t g_fired = 0;
void count_fire(TimerNode*) { ++g_fired; }

Result run_wheel(const std::vector<int64_t>& deadlines) {
    std::vector<TimerNode> nodes(deadlines.size());
    TimerWheel wheel(0);
    for (size_t i = 0; i < kLive; ++i) {
        nodes[i].deadline = deadlines[i];
        nodes[i].fire = count_fire;
        wheel.insert(&nodes[i]);
    }

    Result r{};
    auto start = Clock::now();
    for (size_t i = kLive; i < deadlines.size(); ++i) {
        nodes[i].deadline = deadlines[i];
        nodes[i].fire = count_fire;
        wheel.insert(&nodes[i]);
    }
    for (size_t i = kLive; i < deadlines.size(); i += 2) wheel.cancel(&nodes[i]);
    r.insert_cancel_ns = elapsed_ns(start) / kMeasured;

    // Step 1 ms at a time, as a loop woken by its poller would.
    g_fired = 0;
    start = Clock::now();
    for (int64_t now = kMs; now <= kSpan; now += kMs) {
        wheel.advance(now);
        while (TimerNode* t = wheel.pop_expired()) t->fire(t);
    }
    r.fire_ms = elapsed_ns(start) / 1e6;
    r.fired = g_fired;
    return r;
}

Result run_heap(const std::vector<int64_t>& deadlines) {
    using Entry = std::pair<int64_t, uint32_t>;  // (deadline, id)
    std::vector<Entry> storage;
    storage.reserve(deadlines.size());  // no reallocation inside the measured part either
    std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap(std::greater<>{},
                                                                        std::move(storage));
    // Lazy deletion: cancel marks the id; the entry stays in the heap until popped.
    std::vector<char> cancelled(deadlines.size(), 0);
    for (size_t i = 0; i < kLive; ++i) heap.emplace(deadlines[i], static_cast<uint32_t>(i));

    Result r{};
    auto start = Clock::now();
    for (size_t i = kLive; i < deadlines.size(); ++i) {
        heap.emplace(deadlines[i], static_cast<uint32_t>(i));
    }
    for (size_t i = kLive; i < deadlines.size(); i += 2) cancelled[i] = 1;
    r.insert_cancel_ns = elapsed_ns(start) / kMeasured;

    size_t fired = 0;
    start = Clock::now();
    for (int64_t now = kMs; now <= kSpan; now += kMs) {
        while (!heap.empty() && heap.top().first <= now) {
            uint32_t id = heap.top().second;
            heap.pop();
            if (!cancelled[id]) ++fired;
        }
    }
    r.fire_ms = elapsed_ns(start) / 1e6;
    r.fired = fired;
    return r;
}

}  // namespace

void bench_timer_wheel(Report& out) {
    const std::vector<int64_t> deadlines = make_deadlines();
    Result wheel = run_wheel(deadlines);
    Result heap = run_heap(deadlines);
    // Both must have fired the same 1.5M timers, or the comparison means nothing.
    if (wheel.fired != heap.fired || wheel.fired != kLive + kMeasured / 2) {
        out.push_back({"timer bench: fired counts differ (wheel, heap)",
                       static_cast<double>(wheel.fired) - static_cast<double>(heap.fired),
                       "timers"});
    }
    const char* per_op = "ns per insert, + 1/2 cancel";
    out.push_back({"timer insert+cancel, wheel (1M live)", wheel.insert_cancel_ns, per_op, "< 40"});
    out.push_back({"timer insert+cancel, binary heap (1M live)", heap.insert_cancel_ns, per_op});
    // The fire rows run on what the rows above left: 2M armed, 500k of them cancelled, 10 s of
    // deadlines walked 1 ms per advance. The heap also pops the 500k cancelled entries.
    out.push_back({"fire timers (2M armed, 500k cancelled): wheel", wheel.fire_ms, "ms"});
    out.push_back({"fire timers (2M armed, 500k cancelled): heap", heap.fire_ms, "ms"});
}

CORIO_BENCH("timers: wheel vs heap", bench_timer_wheel);

}  // namespace bench

#ifdef BENCH_TIMERS_MAIN
#include <cstdio>

int main() {
    bench::Report report;
    bench::bench_timer_wheel(report);
    for (const auto& row : report) {
        std::printf("%-48s %12.2f %s\n", row.name.c_str(), row.value, row.unit.c_str());
    }
}
#endif
