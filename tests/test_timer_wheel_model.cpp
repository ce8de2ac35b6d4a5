// Timer wheel tests at scale: dense short timers that must never cascade, timers moving down
// the levels, order across wrapped slots and the overflow list, and a randomized comparison with
// a std::multimap model (src/reactor/timer_wheel.hpp).

#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <cstdint>
#include <deque>
#include <iterator>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <utility>
#include <vector>

#include "wheel_support.hpp"

using namespace wheel_test;

TEST_CASE("100,000 timers spread over 1-100 ms all sit at level 0 and fire without a cascade",
          "[wheel]") {
    // The lateness benchmark's load. Moving ~64,000 of them at once used to stall the loop while
    // timers were due; a timer less than 4096 ms ahead must never move, wherever the position
    // falls on the wheel's grid, including a burst straddling the end of a 4096-tick block or of
    // the 2^36-tick block.
    constexpr int kTimers = 100'000;
    std::vector<TimerNode> nodes(kTimers);
    for (int64_t start : {int64_t{0}, 7 * kSec + 3, slot_width(1) - 50 * kMs,
                          slot_width(2) - 99 * kMs, slot_width(5) - 30 * kMs + 123}) {
        INFO("start " << start);
        auto wheel = wheel_at(start);
        uint32_t x = 12345;
        int not_level0 = 0;
        for (auto& n : nodes) {
            x = x * 1664525u + 1013904223u;
            n.deadline = start + (1000 + static_cast<int64_t>((x >> 8) % 99'000)) * 1000;
            wheel->insert(&n);
            if (n.where != 0) ++not_level0;
        }
        REQUIRE(not_level0 == 0);
        // Step 100 us at a time, checking the firing order as it goes.
        int fired = 0;
        bool in_order = true;
        int64_t last = kMin;
        for (int64_t now = start; now <= start + 101 * kMs; now += 100'000) {
            wheel->advance(now);
            while (TimerNode* t = wheel->pop_expired()) {
                in_order = in_order && last <= t->deadline && t->deadline <= now;
                last = t->deadline;
                ++fired;
            }
        }
        REQUIRE(fired == kTimers);
        REQUIRE(in_order);
        REQUIRE(wheel->cascaded() == 0);
    }
}

TEST_CASE("a timer 4096 ms or more ahead moves down once per upper level it starts above",
          "[wheel]") {
    TimerNode five_sec, one_hour;
    TimerWheel wheel;
    five_sec.deadline = 5 * kSec;  // level 1; its slot starts at 4096 ms and goes to level 0
    wheel.insert(&five_sec);
    REQUIRE(five_sec.where == 1);
    wheel.advance(5 * kSec);
    REQUIRE(wheel.pop_expired() == &five_sec);
    REQUIRE(wheel.cascaded() == 1);
    // Level 2; at its slot's start (13 * 2^18 ms) it is ~188 s ahead: level 1, then level 0.
    one_hour.deadline = kHour;
    wheel.insert(&one_hour);
    REQUIRE(one_hour.where == 2);
    wheel.advance(kHour);
    REQUIRE(wheel.pop_expired() == &one_hour);
    REQUIRE(wheel.cascaded() == 3);
}

TEST_CASE("a wrapped level-0 slot and a level-1 slot starting at the same tick fire in order",
          "[wheel]") {
    TimerNode upper, wrapped, same_deadline;
    TimerWheel wheel;
    upper.deadline = 4096 * kMs + 500;  // 4096 ms ahead: level 1, in the slot starting at 4096 ms
    wheel.insert(&upper);
    REQUIRE(upper.where == 1);
    wheel.advance(4000 * kMs);
    // Now 96 ms ahead: level 0, in slot 0, which wrapped behind the position's slot (4000).
    wrapped.deadline = 4096 * kMs + 100;
    same_deadline.deadline = upper.deadline;
    wheel.insert(&wrapped);
    wheel.insert(&same_deadline);
    REQUIRE(wrapped.where == 0);
    REQUIRE(wrapped.slot == 0);
    REQUIRE(wheel.next_deadline() > 4000 * kMs);
    REQUIRE(wheel.next_deadline() <= wrapped.deadline);
    // Both start at tick 4096. The level-1 slot is cascaded first, so `upper` joins slot 0
    // before it expires.
    wheel.advance(4096 * kMs + 499);
    REQUIRE(drain(wheel) == std::vector<TimerNode*>{&wrapped});
    REQUIRE(wheel.next_deadline() == upper.deadline);
    wheel.advance(4096 * kMs + 500);
    REQUIRE(drain(wheel) == std::vector<TimerNode*>{&upper, &same_deadline});
    REQUIRE(wheel.cascaded() == 1);
}

TEST_CASE("an overflow timer fires before a later level-0 timer that wrapped into its block",
          "[wheel]") {
    const int64_t block = slot_width(5);  // first tick of the second 2^36-tick block
    TimerNode first, far, tie, at_block, early, near;
    TimerWheel wheel;
    first.deadline = block + 100;  // in the block's first tick
    far.deadline = block + 50 * kMs;
    tie.deadline = block + 80 * kMs + 7;
    for (TimerNode* t : {&first, &far, &tie}) {
        wheel.insert(t);
        REQUIRE(t->where == TimerNode::kOverflow);
    }
    wheel.advance(block - 100 * kMs);
    REQUIRE(far.where == TimerNode::kOverflow);
    // Within 4096 ms of the position, so level 0, although in the next 2^36-tick block.
    at_block.deadline = block + 300;  // same tick as `first`, whose list is re-placed first
    early.deadline = block + 60 * kMs;
    near.deadline = tie.deadline;  // same deadline as `tie`, inserted later
    for (TimerNode* t : {&at_block, &early, &near}) {
        wheel.insert(t);
        REQUIRE(t->where == 0);
    }
    REQUIRE(wheel.next_deadline() > block - 100 * kMs);
    REQUIRE(wheel.next_deadline() <= first.deadline);
    wheel.advance(block + 100 * kMs);
    REQUIRE(drain(wheel) == std::vector<TimerNode*>{&first, &at_block, &far, &early, &tie, &near});
}

namespace {

// Reference model: pending timers ordered by (deadline, seq), and the expired queue as a deque.
struct Model {
    std::multimap<std::pair<int64_t, uint64_t>, TimerNode*> pending;
    std::deque<TimerNode*> expired;

    void advance(int64_t now) {
        while (!pending.empty() && pending.begin()->first.first <= now) {
            expired.push_back(pending.begin()->second);
            pending.erase(pending.begin());
        }
    }
    void cancel(TimerNode* t) {
        auto it = pending.find({t->deadline, t->seq});
        if (it != pending.end()) {
            pending.erase(it);
            return;
        }
        for (auto e = expired.begin(); e != expired.end(); ++e) {
            if (*e == t) {
                expired.erase(e);
                return;
            }
        }
    }
};

int64_t saturating_add(int64_t a, int64_t b) {
    if (b > 0 && a > kMax - b) return kMax;
    if (b < 0 && a < kMin - b) return kMin;
    return a + b;
}

// Spans from nanoseconds to years, so every level, the overflow list and the past are all hit.
int64_t random_span(std::mt19937_64& rng) {
    auto upto = [&](int64_t hi) { return std::uniform_int_distribution<int64_t>(0, hi)(rng); };
    switch (upto(11)) {
        case 0:
            return 0;
        case 1:
            return upto(1000);
        case 2:
            return upto(3 * kMs);
        case 3:
            return upto(100 * kMs);
        case 4:
            return upto(10 * kSec);
        case 5:
            return upto(5 * kHour);
        case 6:
            return upto(30 * kDay);
        case 7:
            return 60 * kDay + upto(kMs);
        case 8:
            return upto(2000 * kDay);
        case 9:
            return slot_width(5) * upto(3) + upto(kDay);
        case 10:
            return slot_width(1) - kMs + upto(2 * kMs);  // the edge of level 0's window
        default:
            return slot_width(1 + upto(4)) * (1 + upto(2)) - kMs + upto(2 * kMs);
    }
}

void check_next_deadline(const TimerWheel& wheel, const Model& model, int64_t position) {
    int64_t next = wheel.next_deadline();
    if (model.pending.empty()) {
        REQUIRE(next == kMax);
        return;
    }
    int64_t earliest = model.pending.begin()->first.first;
    REQUIRE(next <= earliest);
    if (tick_of(earliest) <= tick_of(position)) {
        REQUIRE(next == earliest);
    } else {
        REQUIRE(next > position);
    }
}

void run_random(uint64_t seed) {
    INFO("seed " << seed);
    std::mt19937_64 rng(seed);
    auto upto = [&](int64_t hi) { return std::uniform_int_distribution<int64_t>(0, hi)(rng); };
    const int64_t origin = upto(2 * kDay) - kDay;  // relative tick 0 of the wheel
    const int64_t position_cap = kMax / 2;         // leaves room for the final advance to kMax
    std::vector<TimerNode> nodes(300);
    TimerWheel wheel(origin);
    Model model;
    // Just before or after a block edge of the wheel's own grid (4096 ticks up to 2^36), or a
    // jump there: level-0 slots then wrap, and upper slots and the overflow list meet them.
    auto near_edge = [&](int64_t from) {
        int64_t width = slot_width(1 + static_cast<int>(upto(4)));
        int64_t edge = origin + ((from - origin) / width + 1) * width;
        return edge - upto(200 * kMs) + upto(2 * kMs);
    };
    int64_t now = upto(1) ? origin : near_edge(origin);
    wheel.advance(now);

    auto pop_and_compare = [&](int count) {
        for (int i = 0; i < count; ++i) {
            TimerNode* got = wheel.pop_expired();
            if (model.expired.empty()) {
                REQUIRE(got == nullptr);
                return;
            }
            REQUIRE(got == model.expired.front());
            model.expired.pop_front();
            REQUIRE_FALSE(got->linked());
        }
    };

    for (int op = 0; op < 6000; ++op) {
        TimerNode* node = &nodes[static_cast<size_t>(upto(static_cast<int64_t>(nodes.size()) - 1))];
        switch (upto(9)) {
            case 0:
            case 1:
            case 2:
            case 3:
                if (!node->linked()) {
                    int64_t deadline;
                    switch (upto(9)) {
                        case 0:
                            deadline = saturating_add(now, -random_span(rng));  // already due
                            break;
                        case 1:
                            deadline = (upto(1) == 0) ? kMax : kMin;
                            break;
                        default:
                            deadline = saturating_add(now, random_span(rng));
                    }
                    node->deadline = deadline;
                    wheel.insert(node);
                    model.pending.insert({{node->deadline, node->seq}, node});
                }
                break;
            case 4:
            case 5:
                model.cancel(node);
                wheel.cancel(node);
                REQUIRE_FALSE(node->linked());
                break;
            case 6:
            case 7:
            case 8: {
                int64_t step = random_span(rng);
                if (upto(4) == 0) step = std::max<int64_t>(0, near_edge(now) - now);
                if (now > position_cap - step) step = upto(kSec);
                now += step;
                if (upto(20) == 0) now -= upto(kSec);  // a stale clock reading
                wheel.advance(now);
                now = std::max(now, wheel.position());
                model.advance(wheel.position());
                break;
            }
            default:
                pop_and_compare(static_cast<int>(upto(4)));
        }
        REQUIRE(wheel.size() == model.pending.size() + model.expired.size());
        REQUIRE(wheel.has_expired() == !model.expired.empty());
        check_next_deadline(wheel, model, wheel.position());
    }
    wheel.advance(kMax);
    model.advance(kMax);
    REQUIRE(model.pending.empty());
    pop_and_compare(static_cast<int>(nodes.size()) + 1);
    REQUIRE(wheel.size() == 0);
}

}  // namespace

TEST_CASE("random inserts, cancels and advances fire the same timers in the same order as a model",
          "[wheel]") {
    for (uint64_t seed = 1; seed <= 100; ++seed) run_random(seed);
}

// Hidden (run with its tag): the same over many more seeds, for changes to the wheel.
TEST_CASE("the model comparison holds over thousands of seeds", "[.][wheel-soak]") {
    for (uint64_t seed = 1; seed <= 3000; ++seed) run_random(seed);
}
