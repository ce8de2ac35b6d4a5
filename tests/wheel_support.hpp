// Shared by the timer wheel tests: time units, slot widths, and drivers that move a wheel the
// way the loop does. The wheel is driven by hand; nothing here reads a clock.
#pragma once

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "reactor/timer_wheel.hpp"

namespace wheel_test {

using corio::detail::TimerNode;
using corio::detail::TimerWheel;

constexpr int64_t kNs = 1;
constexpr int64_t kMs = 1'000'000;
constexpr int64_t kSec = 1000 * kMs;
constexpr int64_t kHour = 3600 * kSec;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

// Width of one slot at level L, in nanoseconds: 1 ms at level 0 (4096 slots), 4096 * 64^(L-1) ms
// above. Level 5 does not exist: its slot width is where the overflow list starts (2^36 ms).
inline int64_t slot_width(int level) {
    if (level == 0) return kMs;
    int64_t w = 4096 * kMs;
    for (int i = 1; i < level; ++i) w *= 64;
    return w;
}

inline int64_t tick_of(int64_t ns) { return ns / kMs - ((ns % kMs) < 0 ? 1 : 0); }

inline std::vector<TimerNode*> drain(TimerWheel& wheel) {
    std::vector<TimerNode*> out;
    while (TimerNode* t = wheel.pop_expired()) out.push_back(t);
    return out;
}

// The wheel counts ticks from its constructor's position, so a wheel built at 0 and advanced to
// `start` sits where `start` falls on its own 4096-tick and 2^36-tick grid. On the heap: a wheel
// holds 4096 level-0 list heads.
inline std::unique_ptr<TimerWheel> wheel_at(int64_t start) {
    auto wheel = std::make_unique<TimerWheel>(std::min<int64_t>(start, 0));
    wheel->advance(start);
    return wheel;
}

// Inserts one timer at `deadline` into a wheel positioned at `start`, then checks it stays put
// when advanced to 1 ns before its deadline and fires exactly at it.
inline void check_fires_exactly_at(int64_t start, int64_t deadline) {
    INFO("start " << start << " deadline " << deadline);
    TimerNode node;
    auto wheel = wheel_at(start);
    node.deadline = deadline;
    wheel->insert(&node);
    if (deadline - 1 >= start) {
        wheel->advance(deadline - 1);
        REQUIRE_FALSE(wheel->has_expired());
        REQUIRE(wheel->next_deadline() > deadline - 1);
        REQUIRE(wheel->next_deadline() <= deadline);
    }
    wheel->advance(deadline);
    REQUIRE(wheel->pop_expired() == &node);
    REQUIRE_FALSE(node.linked());
    REQUIRE(wheel->size() == 0);
    REQUIRE(wheel->next_deadline() == kMax);
}

// Drives the wheel the way the loop does: sleep until next_deadline(), advance, repeat. Returns
// the number of wake-ups needed before the timer fired.
inline int wakeups_until_fired(int64_t start, int64_t deadline) {
    INFO("start " << start << " deadline " << deadline);
    TimerNode node;
    auto wheel = wheel_at(start);
    node.deadline = deadline;
    wheel->insert(&node);
    int64_t now = start;
    int wakeups = 0;
    wheel->advance(now);
    while (!wheel->has_expired()) {
        int64_t next = wheel->next_deadline();
        REQUIRE(next > now);
        REQUIRE(next <= deadline);
        now = next;
        wheel->advance(now);
        ++wakeups;
    }
    REQUIRE(now == deadline);
    REQUIRE(wheel->pop_expired() == &node);
    return wakeups;
}

// Positions where the wheel's grid matters: the start, just before the end of a 4096-tick block
// (so short timers land in level-0 slots that wrapped), of a level-2 slot, and of the 2^36-tick
// block after which the overflow list starts.
inline const int64_t kStarts[] = {0,
                                  5 * kMs + 7,
                                  slot_width(1) - kNs,
                                  slot_width(1) - 50 * kMs,
                                  3 * slot_width(1) - kMs + 1,
                                  slot_width(2) - kMs,
                                  slot_width(3) - 2 * kSec,
                                  slot_width(5) - kMs,
                                  slot_width(5) - 3 * kSec + 17,
                                  -kDay};

}  // namespace wheel_test
