// TimerWheel: placement, cascading and expiry for the loop's hierarchical timing wheel.
// The level table and the invariants are in timer_wheel.hpp (checked by
// timer_wheel_check.cpp); this file depends on nothing else.

#include "timer_wheel.hpp"

#include <algorithm>
#include <bit>
#include <cassert>

namespace corio::detail {

namespace {

// Floor division, so a negative deadline maps to the tick that contains it.
int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b < 0) ? q - 1 : q;
}

// A function object rather than a function, so std::sort inlines the comparison.
constexpr auto fires_before = [](const TimerNode* a, const TimerNode* b) {
    return a->deadline != b->deadline ? a->deadline < b->deadline : inserted_before(a, b);
};

// Keeps a sorted list sorted: only for the current tick's slot, which rarely gains timers.
template <class List>
void insert_sorted(List& list, TimerNode* t) {
    TimerNode* prev = nullptr;
    for (TimerNode* at = list.front(); at && fires_before(at, t); at = List::next(at)) prev = at;
    list.insert_after(prev, t);
}

constexpr uint64_t bit(int i) { return uint64_t{1} << i; }

}  // namespace

TimerWheel::TimerWheel(int64_t now_ns)
    : position_(now_ns), base_tick_(floor_div(now_ns, kTickNs)) {}

TimerWheel::~TimerWheel() {
    // Owners may outlive the wheel (a loop torn down with timers still armed); leave their nodes
    // unlinked so a later cancel() or linked() check is harmless.
    auto release = [](auto& list) {
        while (TimerNode* t = list.pop_front()) t->where = TimerNode::kUnlinked;
    };
    for (SlotList& list : level0_) release(list);
    for (auto& level : upper_) {
        for (SlotList& list : level) release(list);
    }
    release(overflow_);
    release(expired_);
}

uint64_t TimerWheel::tick_of(int64_t ns) const {
    // Both ticks lie within about +-2^43, so the difference cannot overflow.
    int64_t rel = floor_div(ns, kTickNs) - base_tick_;
    return rel <= static_cast<int64_t>(cur_) ? cur_ : static_cast<uint64_t>(rel);
}

int64_t TimerWheel::ns_of(uint64_t tick) const {
    // Only called for slot starts at or below some pending timer's tick, so this cannot overflow.
    return (base_tick_ + static_cast<int64_t>(tick)) * kTickNs;
}

void TimerWheel::place(TimerNode* t) {
    const uint64_t tick = tick_of(t->deadline);
    if (tick - cur_ < kLevel0Slots) {
        const int slot = static_cast<int>(tick & (kLevel0Slots - 1));
        if (tick == sorted_tick_) {
            insert_sorted(level0_[slot], t);
        } else {
            level0_[slot].push_front(t);
        }
        level0_occupied_[slot / kWordBits] |= bit(slot % kWordBits);
        level0_summary_ |= bit(slot / kWordBits);
        t->where = 0;
        t->slot = static_cast<uint16_t>(slot);
        return;
    }
    const uint64_t differ = cur_ ^ tick;
    if (differ >> kTopBits) {
        overflow_.push_front(t);
        t->where = TimerNode::kOverflow;
        overflow_min_ = std::min(overflow_min_, tick);
        return;
    }
    // t - c >= 4096 means they differ above bit 11: the highest such bit picks level 1..4.
    const int level = (std::bit_width(differ) - 1 - kLevel0Bits) / kSlotBits + 1;
    assert(level >= 1 && level < kLevels);
    const int slot = static_cast<int>((tick >> level_shift(level)) & (kSlots - 1));
    upper_[level - 1][slot].push_front(t);
    upper_occupied_[level - 1] |= bit(slot);
    t->where = static_cast<uint8_t>(level);
    t->slot = static_cast<uint16_t>(slot);
}

void TimerWheel::clear_level0_bit(int slot) {
    uint64_t& word = level0_occupied_[slot / kWordBits];
    word &= ~bit(slot % kWordBits);
    if (!word) level0_summary_ &= ~bit(slot / kWordBits);
}

void TimerWheel::unlink_from_slot(TimerNode* t) {
    // Decided from the node's own links, so cancelling a node in mid-list does not load its
    // slot's head: the 32 KiB of level-0 heads alone would fill L1.
    const bool last = !SlotList::prev(t) && !SlotList::next(t);
    if (t->where == 0) {
        level0_[t->slot].remove(t);
        if (last) clear_level0_bit(t->slot);
        return;
    }
    upper_[t->where - 1][t->slot].remove(t);
    if (last) upper_occupied_[t->where - 1] &= ~bit(t->slot);
}

void TimerWheel::insert(TimerNode* t) {
    assert(!t->linked());
    t->seq = next_seq_++;
    ++size_;
    place(t);
}

void TimerWheel::cancel(TimerNode* t) {
    switch (t->where) {
        case TimerNode::kUnlinked:
            return;
        case TimerNode::kExpired:
            expired_.remove(t);
            break;
        case TimerNode::kOverflow:
            overflow_.remove(t);
            // The minimum may now be stale; it stays a valid lower bound and is recomputed
            // when the overflow list is next re-placed, so no scan here.
            if (overflow_.empty()) overflow_min_ = kNoTick;
            break;
        default:
            assert(t->where < kLevels);
            unlink_from_slot(t);
            break;
    }
    t->where = TimerNode::kUnlinked;
    assert(size_ > 0);
    --size_;
}

int TimerWheel::next_level0_slot(int from) const {
    const int w = from / kWordBits;
    const uint64_t word = level0_occupied_[w] & (~uint64_t{0} << (from % kWordBits));
    if (word) return w * kWordBits + std::countr_zero(word);
    // Two shifts, so that w == 63 leaves no later word instead of shifting by 64.
    const uint64_t later = level0_summary_ & ((~uint64_t{0} << w) << 1);
    if (!later) return -1;
    const int next = std::countr_zero(later);
    return next * kWordBits + std::countr_zero(level0_occupied_[next]);
}

TimerWheel::Expiration TimerWheel::next_expiration() const {
    Expiration best{-1, 0, kNoTick};
    if (level0_summary_) {
        const int current = static_cast<int>(cur_ & (kLevel0Slots - 1));
        const uint64_t block = cur_ - static_cast<uint64_t>(current);
        int slot = next_level0_slot(current);
        // Still in c's 4096-block: every upper slot and overflow block starts after it.
        if (slot >= 0) return {0, slot, block + static_cast<uint64_t>(slot)};
        // Only slots that wrapped into the next block are left; an upper slot or the overflow
        // list may start at or before them.
        slot = next_level0_slot(0);
        assert(slot >= 0 && slot < current);
        best = {0, slot, block + kLevel0Slots + static_cast<uint64_t>(slot)};
    }
    for (int level = 1; level < kLevels; ++level) {
        const uint64_t occupied = upper_occupied_[level - 1];
        if (!occupied) continue;
        const int shift = level_shift(level);
        [[maybe_unused]] const int current = static_cast<int>((cur_ >> shift) & (kSlots - 1));
        // Slots at or before the position's have been cascaded already. (Two shifts, as above.)
        assert(!(occupied & ((uint64_t{1} << current << 1) - 1)));
        const int slot = std::countr_zero(occupied);
        const uint64_t level_start = cur_ & ~((uint64_t{1} << level_shift(level + 1)) - 1);
        const uint64_t start = level_start | (static_cast<uint64_t>(slot) << shift);
        if (start <= best.start) best = {level, slot, start};
        break;  // higher levels start later still
    }
    if (!overflow_.empty()) {
        const uint64_t start = overflow_min_ & ~((uint64_t{1} << kTopBits) - 1);
        if (start <= best.start) best = {kOverflowLevel, 0, start};
    }
    return best;
}

void TimerWheel::expire_slot(int slot, uint64_t tick, int64_t now_ns, bool current) {
    SlotList& list = level0_[slot];
    if (current) {
        // The position's own tick: with thousands of timers in one millisecond the loop wakes
        // on each exact deadline, so the slot is sorted once and then drained from the front,
        // instead of rescanned at every wake-up.
        if (sorted_tick_ != tick) sort_slot(list, tick);
        while (!list.empty() && list.front()->deadline <= now_ns) {
            append_expired(list.pop_front());
        }
        if (list.empty()) clear_level0_bit(slot);
        return;
    }
    // A past tick (the loop fell behind): its due timers leave the slot now. Their keys are
    // copied out while the list is walked anyway, and the sort compares those in cache: a
    // comparison through the node pointers missed the cache on every step, which made the
    // catch-up after a stall (thousands of timers a millisecond) take longer than the stall.
    for (TimerNode* t = list.front(); t;) {
        TimerNode* next = SlotList::next(t);
        assert(t->where == 0 && t->slot == slot && tick_of(t->deadline) == tick);
        if (t->deadline <= now_ns) {
            list.remove(t);
            keys_.push_back({t->deadline, t->seq, t});
        }
        t = next;
    }
    if (list.empty()) clear_level0_bit(slot);
    // Slots hold one tick each, so sorting per slot and appending slot by slot keeps the whole
    // batch in (deadline, seq) order.
    sort_keys();
    for (const SortKey& k : keys_) append_expired(k.node);
    keys_.clear();
}

void TimerWheel::sort_keys() {
    std::sort(keys_.begin(), keys_.end(), [](const SortKey& a, const SortKey& b) {
        return a.deadline != b.deadline ? a.deadline < b.deadline
                                        : static_cast<int32_t>(a.seq - b.seq) < 0;
    });
}

void TimerWheel::sort_slot(SlotList& list, uint64_t tick) {
    // Keys are copied out so the sort compares in cache instead of chasing nodes: each node is
    // touched once to read and once to relink.
    for (TimerNode* t = list.front(); t; t = SlotList::next(t)) {
        keys_.push_back({t->deadline, t->seq, t});
    }
    sort_keys();
    list.take_all();  // every node is relinked below
    for (size_t i = keys_.size(); i-- > 0;) list.push_front(keys_[i].node);
    keys_.clear();
    sorted_tick_ = tick;
}

void TimerWheel::append_expired(TimerNode* t) {
    t->where = TimerNode::kExpired;
    expired_.push_back(t);
}

void TimerWheel::cascade(int level, int slot) {
    // take_all() leaves the links in place: each node's next is read before place() relinks it.
    TimerNode* t = upper_[level - 1][slot].take_all();
    upper_occupied_[level - 1] &= ~bit(slot);
    while (t) {
        TimerNode* next = SlotList::next(t);
        assert(t->where == level && t->slot == slot);
        place(t);
        assert(t->where < level);
        ++cascaded_;
        t = next;
    }
}

void TimerWheel::reinsert_overflow() {
    TimerNode* t = overflow_.take_all();  // relinked one by one, as in cascade()
    overflow_min_ = kNoTick;
    while (t) {
        TimerNode* next = SlotList::next(t);
        place(t);
        ++cascaded_;
        t = next;
    }
}

void TimerWheel::advance(int64_t now_ns) {
    position_ = std::max(position_, now_ns);
    const uint64_t target = tick_of(position_);

    // Visit occupied slots in tick order up to the target; empty stretches are skipped by the
    // bit scans, so the cost does not depend on how far the position jumps.
    for (;;) {
        Expiration e = next_expiration();
        if (e.level < 0 || e.start > target) break;
        // Only a level-0 slot can start at the position itself; the others lie ahead of it.
        assert(e.level == 0 ? e.start >= cur_ : e.start > cur_);
        cur_ = e.start;
        if (e.level == kOverflowLevel) {
            reinsert_overflow();
            continue;
        }
        if (e.level > 0) {
            cascade(e.level, e.slot);
            continue;
        }
        expire_slot(e.slot, e.start, position_, e.start == target);
        // The target tick's slot keeps its not-yet-due timers; looking again would find it.
        if (e.start == target) break;
    }
    cur_ = target;
    check_invariants();
}

TimerNode* TimerWheel::pop_expired() {
    TimerNode* t = expired_.pop_front();
    if (!t) return nullptr;
    assert(t->where == TimerNode::kExpired);
    t->where = TimerNode::kUnlinked;
    --size_;
    return t;
}

int64_t TimerWheel::next_deadline() const {
    // The current tick's slot is scanned for the exact minimum so the loop's poll timeout ends on
    // the deadline itself; such slots hold at most the timers of one millisecond.
    if (const TimerNode* t = level0_[cur_ & (kLevel0Slots - 1)].front()) {
        if (sorted_tick_ == cur_) return t->deadline;
        int64_t earliest = t->deadline;
        for (t = SlotList::next(t); t; t = SlotList::next(t)) {
            earliest = std::min(earliest, t->deadline);
        }
        return earliest;
    }
    Expiration e = next_expiration();
    return e.level < 0 ? INT64_MAX : ns_of(e.start);
}

}  // namespace corio::detail
