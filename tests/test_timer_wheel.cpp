// Tests for the hierarchical timer wheel (src/reactor/timer_wheel.hpp): boundary sweeps at every
// level, placement, cancellation wherever a timer sits and next_deadline() bounds. Cascades and
// the randomized model comparison are in test_timer_wheel_model.cpp.

#include <bit>
#include <catch2/catch.hpp>
#include <cstdint>
#include <iterator>
#include <memory>
#include <vector>

#include "wheel_support.hpp"

using namespace wheel_test;

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

TEST_CASE("timers joining the current tick after it was sorted keep firing order", "[wheel]") {
    // The current tick's slot is sorted once and then only inserted into in order, so a late
    // timer must land before, between and after the ones already waiting there.
    std::vector<TimerNode> nodes(6);
    TimerWheel wheel(10 * kMs);
    nodes[0].deadline = 10 * kMs + 400;
    nodes[1].deadline = 10 * kMs + 600;
    wheel.insert(&nodes[1]);
    wheel.insert(&nodes[0]);
    wheel.advance(10 * kMs + 100);  // sorts the slot; nothing is due yet
    REQUIRE_FALSE(wheel.has_expired());
    const int64_t late[] = {10 * kMs + 500, 10 * kMs + 900, 10 * kMs + 200, 10 * kMs + 400};
    for (size_t i = 0; i < std::size(late); ++i) {
        nodes[i + 2].deadline = late[i];
        wheel.insert(&nodes[i + 2]);
    }
    REQUIRE(wheel.next_deadline() == 10 * kMs + 200);
    wheel.advance(10 * kMs + 999);
    std::vector<TimerNode*> want = {&nodes[4], &nodes[0], &nodes[5],
                                    &nodes[2], &nodes[1], &nodes[3]};
    REQUIRE(drain(wheel) == want);
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
        REQUIRE(n.hook.prev == nullptr);
        REQUIRE(n.hook.next == nullptr);
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
