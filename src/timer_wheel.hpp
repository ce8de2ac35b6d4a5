// Hierarchical hashed timing wheel holding the event loop's timers (Varghese & Lauck; the layout
// follows Tokio's time driver). Internal to the loop (layer: src/ detail); depends only on the
// standard library and the node type (corio/detail/timer_node.hpp): no clock, poller, coroutine.
//
// Levels. 6 levels of 64 slots, tick = 1 ms. Ticks are counted from the tick of the position
// given to the constructor, so they are never negative.
//
//   level  slot width      level span
//     0    1 ms            64 ms
//     1    64 ms           ~4.1 s
//     2    ~4.1 s          ~4.4 min
//     3    ~4.4 min        ~4.7 h
//     4    ~4.7 h          ~12.4 days
//     5    ~12.4 days      ~795 days
//   overflow list: deadlines whose tick differs from the current tick above bit 36
//
// Placement. A pending timer with tick t (clamped up to the current tick c when its deadline has
// passed) lives at the level of the highest 6-bit group in which t and c differ (level 0 when
// t == c), in slot (t >> 6*level) & 63. So every timer at level L shares all bits above group L
// with c, and its slot index at level L is > c's (>= at level 0): a level never wraps, and the
// lowest non-empty level holds the earliest slot.
//
// Cascade rule. When the position reaches the start of an occupied slot at level L >= 1, every
// timer in it is re-placed against the new position, which puts it at a level < L. When the
// wheel is empty and the position reaches the 2^36-tick block holding the earliest overflow
// timer, the overflow list is re-placed the same way. Each timer moves at most 7 times in its
// life, and advance() only visits occupied slots (found by a bit scan of occupied_), so a jump of
// any length costs O(levels + timers moved), never O(ticks).
//
// Invariants (asserted in debug builds):
//  - A timer is in exactly one place: one slot, the overflow list, the expired queue, or none
//    (TimerNode::where says which; slot says which slot). cancel() unlinks it in O(1) from any.
//  - occupied_[L] bit s is set iff slots_[L][s] is non-empty.
//  - Level-0 slot of the current tick holds exactly the pending timers whose tick is <= the
//    current tick; all other pending timers are in later slots or in the overflow list.
//  - The expired queue is in firing order: each advance() appends its batch sorted by
//    (deadline, seq).
//  - When cur_min_tick_ == the current tick, cur_min_ is <= every deadline in that tick's
//    level-0 slot, so next_deadline() reads it instead of scanning the slot.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "corio/detail/timer_node.hpp"

namespace corio::detail {

class TimerWheel {
public:
    explicit TimerWheel(int64_t now_ns = 0);  // the wheel's position starts at now_ns
    TimerWheel(const TimerWheel&) = delete;
    TimerWheel& operator=(const TimerWheel&) = delete;
    ~TimerWheel();  // unlinks whatever is left (does not fire)

    // O(1). Precondition: !t->linked(). A deadline at or before the position is due at the next
    // advance().
    void insert(TimerNode* t);
    // O(1), idempotent, works wherever the node is (slot, overflow, expired queue); leaves
    // nothing behind that costs later work.
    void cancel(TimerNode* t);
    // Moves the position to now_ns (never backwards: an earlier now_ns keeps the position) and
    // moves every timer with deadline <= position to the expired queue, the whole batch in
    // (deadline, seq) order, after whatever was already in the expired queue.
    void advance(int64_t now_ns);
    TimerNode* pop_expired();  // unlinks and returns the next expired timer, or nullptr
    bool has_expired() const { return expired_head_ != nullptr; }
    // INT64_MAX when no timer is pending (the expired queue is not counted). Otherwise a lower
    // bound on the earliest pending deadline, exact when that timer is in the current tick's
    // slot, and > position() unless a timer is due already; then it is that timer's deadline,
    // which may lie far in the past, so subtract from it with saturation.
    int64_t next_deadline() const;
    size_t size() const { return size_; }  // pending + expired
    int64_t position() const { return position_; }

private:
    static constexpr int kLevels = 6;
    static constexpr int kSlotBits = 6;
    static constexpr int kSlots = 1 << kSlotBits;
    static constexpr int64_t kTickNs = 1'000'000;
    static constexpr uint64_t kNoTick = UINT64_MAX;

    struct Expiration {
        int level;  // -1: none in the wheel
        int slot;
        uint64_t start;  // first tick of the slot
    };

    uint64_t tick_of(int64_t ns) const;  // relative tick, clamped up to cur_
    int64_t ns_of(uint64_t tick) const;  // start of a relative tick, in loop nanoseconds
    void place(TimerNode* t);            // links a pending timer where its tick belongs
    void unlink_from_slot(TimerNode* t);
    Expiration next_expiration() const;
    // Moves the due nodes of a level-0 slot; `current`: the slot of the position's own tick.
    void expire_slot(int slot, int64_t now_ns, bool current);
    void append_expired(TimerNode* t);
    void cascade(int level, int slot);
    void reinsert_overflow();
    void check_invariants() const;

    TimerNode* slots_[kLevels][kSlots] = {};  // list heads; nodes pushed at the front
    uint64_t occupied_[kLevels] = {};
    TimerNode* overflow_ = nullptr;
    uint64_t overflow_min_ = kNoTick;  // <= the smallest overflow tick (stale after cancel)
    TimerNode* expired_head_ = nullptr;
    TimerNode* expired_tail_ = nullptr;
    std::vector<TimerNode*> scratch_;  // reused to sort a due batch; keeps its capacity
    int64_t position_;
    int64_t base_tick_;  // absolute tick of the constructor's position; relative tick 0
    uint64_t cur_ = 0;   // relative tick of position_
    // A lower bound on the deadlines left in the level-0 slot of tick cur_min_tick_ (kNoTick:
    // none), noted by the last partial expiry of that slot, lowered by insertions into it and
    // forgotten when the timer holding it is cancelled, so it is always the exact minimum.
    int64_t cur_min_ = INT64_MAX;
    uint64_t cur_min_tick_ = kNoTick;
    uint32_t next_seq_ = 0;
    size_t size_ = 0;
};

}  // namespace corio::detail
