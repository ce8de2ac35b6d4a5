// Tests for the hierarchical timer wheel (src/reactor/timer_wheel.hpp): boundary sweeps at every level,
// placement, cancellation wherever a timer sits, next_deadline() bounds, dense short timers that
// must never cascade, and a randomized comparison with a std::multimap model. The wheel is driven
// by hand; nothing here reads a clock.

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

#include "reactor/timer_wheel.hpp"

using corio::detail::TimerNode;
using corio::detail::TimerWheel;

namespace {

constexpr int64_t kNs = 1;
constexpr int64_t kMs = 1'000'000;
constexpr int64_t kSec = 1000 * kMs;
constexpr int64_t kHour = 3600 * kSec;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

// Width of one slot at level L, in nanoseconds: 1 ms at level 0 (4096 slots), 4096 * 64^(L-1) ms
// above. Level 5 does not exist: its slot width is where the overflow list starts (2^36 ms).
int64_t slot_width(int level) {
    if (level == 0) return kMs;
    int64_t w = 4096 * kMs;
    for (int i = 1; i < level; ++i) w *= 64;
    return w;
}

int64_t tick_of(int64_t ns) { return ns / kMs - ((ns % kMs) < 0 ? 1 : 0); }

std::vector<TimerNode*> drain(TimerWheel& wheel) {
    std::vector<TimerNode*> out;
    while (TimerNode* t = wheel.pop_expired()) out.push_back(t);
    return out;
}

// The wheel counts ticks from its constructor's position, so a wheel built at 0 and advanced to
// `start` sits where `start` falls on its own 4096-tick and 2^36-tick grid. On the heap: a wheel
// holds 4096 level-0 list heads.
std::unique_ptr<TimerWheel> wheel_at(int64_t start) {
    auto wheel = std::make_unique<TimerWheel>(std::min<int64_t>(start, 0));
    wheel->advance(start);
    return wheel;
}

// Inserts one timer at `deadline` into a wheel positioned at `start`, then checks it stays put
// when advanced to 1 ns before its deadline and fires exactly at it.
void check_fires_exactly_at(int64_t start, int64_t deadline) {
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
int wakeups_until_fired(int64_t start, int64_t deadline) {
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
const int64_t kStarts[] = {0,
                           5 * kMs + 7,
                           slot_width(1) - kNs,
                           slot_width(1) - 50 * kMs,
                           3 * slot_width(1) - kMs + 1,
                           slot_width(2) - kMs,
                           slot_width(3) - 2 * kSec,
                           slot_width(5) - kMs,
                           slot_width(5) - 3 * kSec + 17,
                           -kDay};

}  // namespace

TEST_CASE("a timer fires when advanced to its deadline and not 1 ns before", "[wheel]") {
    const int64_t delays[] = {1 * kMs, 300 * kMs, kHour, 10 * kDay, 60 * kDay, 1000 * kDay};
    std::vector<int64_t> starts(std::begin(kStarts), std::end(kStarts));
    starts.insert(starts.end(), {123'456'789, -5 * kSec - 3, 7 * kDay + 1});
    for (int64_t start : starts) {
        for (int64_t delay : delays) {
            check_fires_exactly_at(start, start + delay);
            check_fires_exactly_at(start, start + delay + 1);
            check_fires_exactly_at(start, start + delay - 1);
        }
    }
}

TEST_CASE("timers at every level boundary and one ns or ms either side fire exactly on time",
          "[wheel]") {
    const int64_t offsets[] = {-kMs, -kNs, 0, kNs, kMs};
    for (int64_t start : kStarts) {
        // Level 5's slot width is the 2^36-ms block after which the overflow list starts.
        for (int level = 1; level <= 5; ++level) {
            for (int64_t multiple : {1, 2, 3, 63}) {
                if (level == 5 && multiple > 2) continue;  // all overflow, nothing new
                int64_t boundary = multiple * slot_width(level);
                for (int64_t offset : offsets) {
                    // Boundaries on the wheel's own tick grid and relative to the start.
                    check_fires_exactly_at(start, std::max(start, boundary + offset));
                    check_fires_exactly_at(start, start + boundary + offset);
                }
            }
        }
    }
}

TEST_CASE("a timer under 4096 ticks ahead is at level 0, others at their highest differing group",
          "[wheel]") {
    // The reference rule, on ticks relative to the wheel's constructor (built at 0 here).
    auto expected_where = [](uint64_t c, uint64_t t) -> int {
        if (t - c < 4096) return 0;
        uint64_t differ = c ^ t;
        if (differ >> 36) return TimerNode::kOverflow;
        int high = std::bit_width(differ) - 1;
        return (high - 12) / 6 + 1;
    };
    const int64_t offsets[] = {-kMs, -kNs, 0, kNs, kMs};
    for (int64_t start : kStarts) {
        if (start < 0) continue;
        auto wheel = wheel_at(start);
        const uint64_t c = static_cast<uint64_t>(tick_of(start));
        for (int level = 0; level <= 5; ++level) {
            for (int64_t multiple : {1, 2, 63, 64, 4095, 4096}) {
                if (multiple > 64 && level >= 3) continue;  // past int64 nanoseconds
                for (int64_t offset : offsets) {
                    for (int64_t deadline : {start + multiple * slot_width(level) + offset,
                                             multiple * slot_width(level) + offset}) {
                        if (deadline < start) continue;
                        INFO("start " << start << " deadline " << deadline);
                        TimerNode node;
                        node.deadline = deadline;
                        wheel->insert(&node);
                        uint64_t t = static_cast<uint64_t>(tick_of(deadline));
                        REQUIRE(static_cast<int>(node.where) == expected_where(c, t));
                        if (node.where == 0) REQUIRE(node.slot == (t & 4095));
                        wheel->cancel(&node);
                    }
                }
            }
        }
        REQUIRE(wheel->size() == 0);
    }
}

TEST_CASE("following next_deadline reaches a timer at its deadline in a few wake-ups", "[wheel]") {
    const int64_t delays[] = {kNs,   1 * kMs,   300 * kMs, 4095 * kMs,  4096 * kMs,
                              kHour, 10 * kDay, 60 * kDay, 1000 * kDay, slot_width(5) + 3};
    std::vector<int64_t> starts(std::begin(kStarts), std::end(kStarts));
    starts.push_back(987'654'321);
    for (int64_t start : starts) {
        for (int64_t delay : delays) {
            // One wake-up for the overflow list, one per upper level cascaded (4), one at the
            // start of the deadline's tick, where its slot becomes exact, and one at the deadline.
            REQUIRE(wakeups_until_fired(start, start + delay) <= 7);
        }
    }
}

TEST_CASE("timers due in one advance fire in deadline order, then insertion order", "[wheel]") {
    std::vector<TimerNode> nodes(8);
    TimerWheel wheel;
    const int64_t deadlines[] = {5 * kMs + 9, 5 * kMs + 3, 2 * kMs, 5 * kMs + 3,
                                 5 * kMs,     4100 * kMs,  2 * kMs, 5 * kMs + 9};
    for (size_t i = 0; i < nodes.size(); ++i) {
        nodes[i].deadline = deadlines[i];
        wheel.insert(&nodes[i]);
    }
    wheel.advance(4100 * kMs);  // nodes[5] is at level 1 until then
    std::vector<TimerNode*> want = {&nodes[2], &nodes[6], &nodes[4], &nodes[1],
                                    &nodes[3], &nodes[0], &nodes[7], &nodes[5]};
    REQUIRE(drain(wheel) == want);
}

TEST_CASE("within the current tick only the timers already due fire", "[wheel]") {
    TimerNode early, late;
    TimerWheel wheel(10 * kMs);
    early.deadline = 10 * kMs + 100;
    late.deadline = 10 * kMs + 900;
    wheel.insert(&late);
    wheel.insert(&early);
    REQUIRE(wheel.next_deadline() == early.deadline);
    wheel.advance(10 * kMs + 500);
    REQUIRE(drain(wheel) == std::vector<TimerNode*>{&early});
    REQUIRE(wheel.next_deadline() == late.deadline);
    wheel.advance(10 * kMs + 899);
    REQUIRE_FALSE(wheel.has_expired());
    wheel.advance(10 * kMs + 900);
    REQUIRE(drain(wheel) == std::vector<TimerNode*>{&late});
}

TEST_CASE("a timer whose deadline has passed is due at the next advance", "[wheel]") {
    std::vector<TimerNode> nodes(4);
    TimerWheel wheel(50 * kSec);
    nodes[0].deadline = 50 * kSec;
    nodes[1].deadline = kMin;
    nodes[2].deadline = -kDay;
    nodes[3].deadline = 50 * kSec - 1;
    for (auto& n : nodes) wheel.insert(&n);
    REQUIRE_FALSE(wheel.has_expired());  // nothing moves before advance()
    REQUIRE(wheel.next_deadline() == kMin);
    wheel.advance(50 * kSec);  // same position
    std::vector<TimerNode*> want = {&nodes[1], &nodes[2], &nodes[3], &nodes[0]};
    REQUIRE(drain(wheel) == want);
    REQUIRE(wheel.next_deadline() == kMax);
}

TEST_CASE("each advance appends its batch after timers already in the expired queue", "[wheel]") {
    TimerNode a, b, c;
    TimerWheel wheel;
    a.deadline = 3 * kMs;
    b.deadline = 1 * kMs;  // earlier than a, but expires in a later advance than a
    c.deadline = 2 * kMs;
    wheel.insert(&a);
    wheel.advance(3 * kMs);
    wheel.insert(&b);
    wheel.insert(&c);
    wheel.advance(4 * kMs);
    REQUIRE(drain(wheel) == std::vector<TimerNode*>{&a, &b, &c});
}

TEST_CASE("a cancelled timer never fires, whichever level or list it sits in", "[wheel]") {
    const int64_t delays[] = {kMs / 2,   100 * kMs, 5 * kSec,    5 * 60 * kSec,
                              5 * kHour, 20 * kDay, 1000 * kDay, kMax - 1};
    std::vector<TimerNode> nodes(std::size(delays));
    std::vector<TimerNode> keep(std::size(delays));
    TimerWheel wheel(kSec);
    for (size_t i = 0; i < nodes.size(); ++i) {
        nodes[i].deadline = delays[i] >= kMax - kSec ? kMax - 2 : kSec + delays[i];
        keep[i].deadline = nodes[i].deadline + 1;
        wheel.insert(&nodes[i]);
        wheel.insert(&keep[i]);
    }
    std::vector<int> where;
    for (auto& n : nodes) where.push_back(n.where);
    const int kOverflow = TimerNode::kOverflow;
    REQUIRE(where == std::vector<int>{0, 0, 1, 2, 3, 4, kOverflow, kOverflow});
    REQUIRE(wheel.size() == 2 * nodes.size());
    for (auto& n : nodes) {
        wheel.cancel(&n);
        REQUIRE_FALSE(n.linked());
        wheel.cancel(&n);  // a second cancel is a no-op
    }
    REQUIRE(wheel.size() == keep.size());
    wheel.advance(kMax);
    std::vector<TimerNode*> fired = drain(wheel);
    REQUIRE(fired.size() == keep.size());
    for (size_t i = 0; i < keep.size(); ++i) REQUIRE(fired[i] == &keep[i]);
}

TEST_CASE("cancelling every pending timer leaves nothing for next_deadline to report", "[wheel]") {
    const int64_t delays[] = {0, kMs / 2, 100 * kMs, 5 * kHour, 20 * kDay, 1000 * kDay, kMax};
    std::vector<TimerNode> nodes(std::size(delays));
    TimerWheel wheel;
    for (size_t i = 0; i < nodes.size(); ++i) {
        nodes[i].deadline = delays[i];
        wheel.insert(&nodes[i]);
        REQUIRE(wheel.next_deadline() <= nodes[0].deadline);
    }
    for (auto& n : nodes) wheel.cancel(&n);
    REQUIRE(wheel.size() == 0);
    REQUIRE(wheel.next_deadline() == kMax);
    wheel.advance(kMax);
    REQUIRE_FALSE(wheel.has_expired());
}

TEST_CASE("a timer cancelled in the expired queue is never returned", "[wheel]") {
    std::vector<TimerNode> nodes(5);
    TimerNode late;
    TimerWheel wheel;
    for (size_t i = 0; i < nodes.size(); ++i) {
        nodes[i].deadline = static_cast<int64_t>(i) * kMs;
        wheel.insert(&nodes[i]);
    }
    wheel.advance(10 * kMs);
    REQUIRE(wheel.size() == 5);
    wheel.cancel(&nodes[0]);  // head
    wheel.cancel(&nodes[2]);  // middle
    wheel.cancel(&nodes[4]);  // tail
    wheel.cancel(&nodes[4]);
    REQUIRE(wheel.size() == 2);
    late.deadline = 11 * kMs;
    wheel.insert(&late);
    wheel.advance(11 * kMs);  // appends after the survivors, which shows the tail was fixed
    REQUIRE(drain(wheel) == std::vector<TimerNode*>{&nodes[1], &nodes[3], &late});
    REQUIRE(wheel.size() == 0);
}

TEST_CASE("a cancelled timer can be inserted again", "[wheel]") {
    TimerNode node;
    TimerWheel wheel;
    node.deadline = 10 * kDay;
    wheel.insert(&node);
    wheel.cancel(&node);
    node.deadline = 2 * kMs;
    wheel.insert(&node);
    wheel.advance(2 * kMs);
    REQUIRE(wheel.pop_expired() == &node);
    wheel.insert(&node);  // popped, so unlinked: the loop may re-arm it from its fire callback
    wheel.advance(3 * kMs);
    REQUIRE(wheel.pop_expired() == &node);
}

TEST_CASE("next_deadline is exact in the current tick and a lower bound beyond it", "[wheel]") {
    const int64_t start = 3 * kSec + 250'000;
    TimerNode far, same_tick, next_tick;
    TimerWheel wheel(start);
    REQUIRE(wheel.next_deadline() == kMax);

    far.deadline = start + 2 * kHour + 12345;
    wheel.insert(&far);
    int64_t bound = wheel.next_deadline();
    REQUIRE(bound > start);
    REQUIRE(bound <= far.deadline);

    same_tick.deadline = start + 300'000;  // still inside the tick holding `start`
    wheel.insert(&same_tick);
    REQUIRE(wheel.next_deadline() == same_tick.deadline);

    wheel.cancel(&same_tick);
    next_tick.deadline = start + kMs + 1;
    wheel.insert(&next_tick);
    bound = wheel.next_deadline();
    REQUIRE(bound > start);
    REQUIRE(bound <= next_tick.deadline);
    wheel.advance(bound);  // now in next_tick's tick: exact again
    REQUIRE_FALSE(wheel.has_expired());
    REQUIRE(wheel.next_deadline() == next_tick.deadline);
}

TEST_CASE("next_deadline ignores the expired queue", "[wheel]") {
    TimerNode node;
    TimerWheel wheel;
    node.deadline = kMs;
    wheel.insert(&node);
    wheel.advance(kMs);
    REQUIRE(wheel.has_expired());
    REQUIRE(wheel.size() == 1);
    REQUIRE(wheel.next_deadline() == kMax);
}

TEST_CASE("advance never moves the position backwards", "[wheel]") {
    TimerNode node;
    TimerWheel wheel(10 * kMs);
    wheel.advance(20 * kMs);
    wheel.advance(5 * kMs);
    REQUIRE(wheel.position() == 20 * kMs);
    node.deadline = 15 * kMs;
    wheel.insert(&node);
    wheel.advance(0);
    REQUIRE(wheel.pop_expired() == &node);
}

TEST_CASE("timers at the largest deadline wait in the overflow list until reached", "[wheel]") {
    TimerNode last, before;
    TimerWheel wheel;
    last.deadline = kMax;
    before.deadline = kMax - 1;
    wheel.insert(&last);
    wheel.insert(&before);
    REQUIRE(wheel.next_deadline() > 0);
    wheel.advance(kMax - 2);
    REQUIRE_FALSE(wheel.has_expired());
    REQUIRE(wheel.next_deadline() > kMax - 2);
    REQUIRE(wheel.next_deadline() <= kMax - 1);
    wheel.advance(kMax - 1);
    REQUIRE(drain(wheel) == std::vector<TimerNode*>{&before});
    REQUIRE(wheel.next_deadline() == kMax);  // exact here, and indistinguishable from "none"
    wheel.advance(kMax);
    REQUIRE(drain(wheel) == std::vector<TimerNode*>{&last});
}

TEST_CASE("destroying the wheel unlinks the timers left in it", "[wheel]") {
    std::vector<TimerNode> nodes(4);
    {
        TimerWheel wheel;
        nodes[0].deadline = kMs;
        nodes[1].deadline = kHour;
        nodes[2].deadline = 2000 * kDay;
        nodes[3].deadline = 0;
        for (auto& n : nodes) wheel.insert(&n);
        wheel.advance(0);  // nodes[3] is now in the expired queue
    }
    for (auto& n : nodes) {
        REQUIRE_FALSE(n.linked());
        REQUIRE(n.prev == nullptr);
        REQUIRE(n.next == nullptr);
    }
}

TEST_CASE("advancing 60 days in one call skips empty ticks", "[wheel]") {
    // A wheel that stepped tick by tick would take 5e9 iterations per call here.
    std::vector<TimerNode> nodes(64);
    TimerWheel wheel;
    int64_t now = 0;
    for (int round = 0; round < 20; ++round) {
        for (size_t i = 0; i + 1 < nodes.size(); ++i) {
            nodes[i].deadline = now + static_cast<int64_t>(i + 1) * 60 * kDay / 64;
            wheel.insert(&nodes[i]);
        }
        nodes.back().deadline = now + 61 * kDay;
        wheel.insert(&nodes.back());
        now += 60 * kDay;
        wheel.advance(now);
        REQUIRE(drain(wheel).size() == nodes.size() - 1);
        now += 60 * kDay;
        wheel.advance(now);
        REQUIRE(drain(wheel) == std::vector<TimerNode*>{&nodes.back()});
    }
    REQUIRE(wheel.size() == 0);
    // 61 days stay below the overflow list: each timer moved down at most once per upper level.
    REQUIRE(wheel.cascaded() > 0);
    REQUIRE(wheel.cascaded() <= 20 * nodes.size() * 4);
}

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
