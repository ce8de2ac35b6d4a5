// Hierarchical hashed timing wheel holding the event loop's timers (Varghese & Lauck; the layout
// follows Tokio's time driver, with a wide first level). Layer 2, internal to the loop;
// depends only on the standard library and the node type (corio/detail/timer_node.hpp): no
// clock, poller, coroutine.
//
// Levels. tick = 1 ms. Ticks are counted from the tick of the position given to the
// constructor, so they are never negative. Level 0 has 4096 slots (tick bits 0-11); each level
// above has 64 (6 bits: level L >= 1 covers bits 6L+6 .. 6L+11).
//
//   level  slots  slot width    level span
//     0    4096   1 ms          ~4.1 s (4096 ms)
//     1      64   ~4.1 s        ~4.4 min (2^18 ms)
//     2      64   ~4.4 min      ~4.66 h (2^24 ms)
//     3      64   ~4.66 h       ~12.4 days (2^30 ms)
//     4      64   ~12.4 days    ~795 days (2^36 ms)
//   overflow list: what lies in a later 2^36-tick block than the current tick (and >= 4096
//   ticks ahead)
//
// Why level 0 is wide: a slot above level 0 is cascaded all at once. With 64 level-0 slots,
// dense short timers (100,000 spread over 100 ms) put ~64,000 in one 64-ms level-1 slot, and
// moving them stalled the loop for milliseconds just when timers were due. With 4096 slots,
// timers armed less than 4096 ms ahead go straight to their final slot and never move. The price
// is 32 KiB of list heads, and deadlines spread over many lists make insert and cancel touch
// colder neighbours (L2 rather than L1 in the 1M-timer benchmark).
//
// Placement. A pending timer with tick t (clamped up to the current tick c when its deadline has
// passed) lives:
//  - at level 0 when t - c < 4096, in slot t mod 4096. Level 0 is a window sliding with c, not an
//    aligned block: slots before c's hold the ticks past the end of c's 4096-block. With an
//    aligned block, a burst of short timers straddling a 4096-ms boundary would sit at level 1
//    and cascade at once at the boundary, the stall this layout exists to remove.
//  - otherwise at the level L >= 1 of the highest 6-bit group above bit 11 in which t and c
//    differ, in slot (t >> (6L+6)) & 63; or in the overflow list when they differ above bit 35.
//    So a timer at level L >= 1 shares every bit above group L with c and its slot index at L is
//    > c's: upper levels never wrap, the lowest non-empty one holds the earliest upper slot, and
//    every upper slot starts at a multiple of 4096 after c's 4096-block.
// Hence the next event is the earliest of three starts: the first occupied level-0 slot in window
// order, the first occupied slot of the lowest non-empty upper level, and the 2^36-tick block of
// the earliest overflow timer. The last two can start at or before a level-0 slot only if that
// slot wrapped; on a tie the timers move down first, so they join that slot before it expires.
//
// Cascade rule. When the position reaches the start of an occupied slot at level L >= 1, every
// timer in it is re-placed against the new position, which puts it at a level < L (from level 1,
// always level 0). When the position reaches the 2^36-tick block of the earliest overflow timer,
// the overflow list is re-placed the same way. Level-0 timers never move before they expire. So a
// timer moves at most 4 times from the levels, plus once per overflow re-placement it waits
// through, and advance() only visits occupied slots (found by bit scans: a two-level bitmap for
// level 0, one word per upper level), so a jump of any length costs O(levels + timers moved),
// never O(ticks).
//
// Invariants (asserted in debug builds; c = the current tick):
//  - A timer is in exactly one place: one slot, the overflow list, the expired queue, or none
//    (TimerNode::where says which; slot says which slot). cancel() unlinks it in O(1) from any.
//  - Level 0 holds pending timers whose tick is in [c, c + 4096) only, each in slot tick mod 4096,
//    so a level-0 slot holds one tick. The slot of tick c holds exactly the pending timers whose
//    tick is <= c; all other pending timers are in later slots or in the overflow list.
//  - A timer at level L >= 1 shares every bit above group L with c and its slot index at L is
//    > c's (it may since have come within 4096 ticks of c: it stays until its slot starts), so
//    c's own slot at each upper level is empty. Overflow timers lie in later 2^36-tick blocks
//    than c; overflow_min_ is <= their ticks.
//  - level0_occupied_ bit s is set iff level0_[s] is non-empty, level0_summary_ bit w iff word w
//    of level0_occupied_ is non-zero, and upper_occupied_[L-1] bit s iff upper_[L-1][s] is
//    non-empty.
//  - The expired queue is in firing order: each advance() appends its batch sorted by
//    (deadline, seq).
//  - When sorted_tick_ == c, c's level-0 slot is in (deadline, seq) order: partial expiry pops
//    from its front and next_deadline() reads its head.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "corio/detail/intrusive_list.hpp"
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
    bool has_expired() const { return !expired_.empty(); }
    // INT64_MAX when no timer is pending (the expired queue is not counted). Otherwise a lower
    // bound on the earliest pending deadline, exact when that timer is in the current tick's
    // slot, and > position() unless a timer is due already; then it is that timer's deadline,
    // which may lie far in the past, so subtract from it with saturation.
    int64_t next_deadline() const;
    size_t size() const { return size_; }  // pending + expired
    int64_t position() const { return position_; }
    // Timers moved down so far by cascades and overflow re-placements (each move counts once);
    // read by tests and benchmarks to see whether a workload cascades at all.
    uint64_t cascaded() const { return cascaded_; }

private:
    static constexpr int kLevels = 5;  // level 0 plus 4 upper levels
    static constexpr int kLevel0Bits = 12;
    static constexpr int kLevel0Slots = 1 << kLevel0Bits;
    static constexpr int kWordBits = 64;
    static constexpr int kLevel0Words = kLevel0Slots / kWordBits;
    static constexpr int kSlotBits = 6;  // levels >= 1
    static constexpr int kSlots = 1 << kSlotBits;
    static constexpr int kOverflowLevel = kLevels;  // Expiration::level of an overflow re-place
    static constexpr int64_t kTickNs = 1'000'000;
    static constexpr uint64_t kNoTick = UINT64_MAX;
    static constexpr int kTopBits = kLevel0Bits + (kLevels - 1) * kSlotBits;  // 36
    static_assert(kLevels <= TimerNode::kOverflow, "TimerNode::where holds a level number");
    static_assert(kLevel0Slots - 1 <= std::numeric_limits<decltype(TimerNode::slot)>::max());

    // Lowest tick bit of a level's group: 0, 12, 18, 24, 30 (and kTopBits for kLevels).
    static constexpr int level_shift(int level) {
        return level == 0 ? 0 : kLevel0Bits + (level - 1) * kSlotBits;
    }

    struct Expiration {
        int level;  // -1: nothing pending; kOverflowLevel: the overflow list
        int slot;
        uint64_t start;  // first tick of the slot (of the 2^36-tick block for the overflow list)
    };

    uint64_t tick_of(int64_t ns) const;  // relative tick, clamped up to cur_
    int64_t ns_of(uint64_t tick) const;  // start of a relative tick, in loop nanoseconds
    void place(TimerNode* t);            // links a pending timer where its tick belongs
    void unlink_from_slot(TimerNode* t);
    void clear_level0_bit(int slot);       // after level0_[slot] became empty
    int next_level0_slot(int from) const;  // first occupied level-0 slot >= from, or -1
    Expiration next_expiration() const;
    // Moves the due nodes of the level-0 slot of `tick`; `current`: the position's own tick.
    void expire_slot(int slot, uint64_t tick, int64_t now_ns, bool current);
    void append_expired(TimerNode* t);
    // Tail-less: one word per slot, as the 4352 slot heads are most of the wheel's footprint.
    using SlotList = IntrusiveList<TimerNode, &TimerNode::hook, false>;
    static_assert(sizeof(SlotList) == sizeof(TimerNode*));
    void sort_slot(SlotList& list, uint64_t tick);
    void sort_keys();  // keys_ into firing order
    void cascade(int level, int slot);
    void reinsert_overflow();
    void check_invariants() const;

    // Level 0: list heads (nodes pushed at the front) and the two-level occupancy bitmap, so the
    // next occupied slot is found by two bit scans, never a walk over 4096 heads.
    SlotList level0_[kLevel0Slots];
    uint64_t level0_occupied_[kLevel0Words] = {};  // bit s % 64 of word s / 64: slot s non-empty
    uint64_t level0_summary_ = 0;                  // bit w: level0_occupied_[w] != 0
    // Levels 1..4 at index L-1.
    SlotList upper_[kLevels - 1][kSlots];
    uint64_t upper_occupied_[kLevels - 1] = {};
    SlotList overflow_;
    uint64_t overflow_min_ = kNoTick;  // <= the smallest overflow tick (stale after cancel)
    IntrusiveList<TimerNode, &TimerNode::hook> expired_;  // with a tail: appended in batches
    struct SortKey {
        int64_t deadline;
        uint32_t seq;
        TimerNode* node;
    };
    // Reused to sort a slot (the current tick's, or a past tick's due batch); keeps its
    // capacity. Empty between calls.
    std::vector<SortKey> keys_;
    int64_t position_;
    int64_t base_tick_;  // absolute tick of the constructor's position; relative tick 0
    uint64_t cur_ = 0;   // relative tick of position_
    // The tick whose level-0 slot is kept sorted (kNoTick: none). Set the first time the
    // position stops inside a tick; stale, and harmless, once the position moves on.
    uint64_t sorted_tick_ = kNoTick;
    uint64_t cascaded_ = 0;
    mutable uint32_t checks_ = 0;  // check_invariants() calls: picks the level-0 word it scans
    uint32_t next_seq_ = 0;
    size_t size_ = 0;
};

}  // namespace corio::detail
