// TimerWheel: placement, cascading and expiry for the loop's hierarchical timing wheel.
// The level table and the invariants are in timer_wheel.hpp; this file depends on nothing else.

#include "timer_wheel.hpp"

#include <algorithm>
#include <bit>
#include <cassert>

namespace corio::detail {

namespace {

constexpr int kTopBits = 36;  // 6 levels x 6 bits: ticks that differ above this go to overflow
constexpr uint64_t kBlockMask = (uint64_t{1} << kTopBits) - 1;

// Floor division, so a negative deadline maps to the tick that contains it.
int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b < 0) ? q - 1 : q;
}

// A function object rather than a function, so std::sort inlines the comparison.
constexpr auto fires_before = [](const TimerNode* a, const TimerNode* b) {
    return a->deadline != b->deadline ? a->deadline < b->deadline : inserted_before(a, b);
};

void push_front(TimerNode*& head, TimerNode* t) {
    t->prev = nullptr;
    t->next = head;
    if (head) head->prev = t;
    head = t;
}

void unlink(TimerNode*& head, TimerNode* t) {
    if (t->prev) {
        t->prev->next = t->next;
    } else {
        assert(head == t);
        head = t->next;
    }
    if (t->next) t->next->prev = t->prev;
    t->prev = t->next = nullptr;
}

}  // namespace

TimerWheel::TimerWheel(int64_t now_ns)
    : position_(now_ns), base_tick_(floor_div(now_ns, kTickNs)) {}

TimerWheel::~TimerWheel() {
    // Owners may outlive the wheel (a loop torn down with timers still armed); leave their nodes
    // unlinked so a later cancel() or linked() check is harmless.
    auto release = [](TimerNode* t) {
        while (t) {
            TimerNode* next = t->next;
            t->prev = t->next = nullptr;
            t->where = TimerNode::kUnlinked;
            t = next;
        }
    };
    for (auto& level : slots_) {
        for (TimerNode* head : level) release(head);
    }
    release(overflow_);
    release(expired_head_);
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
    uint64_t tick = tick_of(t->deadline);
    uint64_t differ = (cur_ ^ tick) | (kSlots - 1);
    if (differ > kBlockMask) {
        push_front(overflow_, t);
        t->where = TimerNode::kOverflow;
        overflow_min_ = std::min(overflow_min_, tick);
        return;
    }
    int level = (std::bit_width(differ) - 1) / kSlotBits;
    int slot = static_cast<int>((tick >> (level * kSlotBits)) & (kSlots - 1));
    push_front(slots_[level][slot], t);
    if (level == 0 && tick == cur_min_tick_) cur_min_ = std::min(cur_min_, t->deadline);
    t->where = static_cast<uint8_t>(level);
    t->slot = static_cast<uint8_t>(slot);
    occupied_[level] |= uint64_t{1} << slot;
}

void TimerWheel::unlink_from_slot(TimerNode* t) {
    TimerNode*& head = slots_[t->where][t->slot];
    unlink(head, t);
    if (!head) occupied_[t->where] &= ~(uint64_t{1} << t->slot);
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
            if (t == expired_tail_) expired_tail_ = t->prev;
            unlink(expired_head_, t);
            break;
        case TimerNode::kOverflow:
            unlink(overflow_, t);
            // The minimum may now be stale; it stays a valid lower bound and is recomputed
            // when the overflow list is next re-placed, so no scan here.
            if (!overflow_) overflow_min_ = kNoTick;
            break;
        default:
            assert(t->where < kLevels);
            // Cancelling the noted minimum would leave next_deadline() early: forget it.
            if (t->where == 0 && t->deadline == cur_min_) cur_min_tick_ = kNoTick;
            unlink_from_slot(t);
            break;
    }
    t->where = TimerNode::kUnlinked;
    assert(size_ > 0);
    --size_;
}

TimerWheel::Expiration TimerWheel::next_expiration() const {
    for (int level = 0; level < kLevels; ++level) {
        int shift = level * kSlotBits;
        int current = static_cast<int>((cur_ >> shift) & (kSlots - 1));
        // Above level 0 the slot holding the position has always been cascaded already.
        assert(level == 0 || !(occupied_[level] & (uint64_t{1} << current)));
        uint64_t ahead = occupied_[level] & (~uint64_t{0} << current);
        if (ahead) {
            int slot = std::countr_zero(ahead);
            uint64_t level_start = cur_ & ~((uint64_t{1} << (shift + kSlotBits)) - 1);
            return {level, slot, level_start | (static_cast<uint64_t>(slot) << shift)};
        }
    }
    return {-1, 0, 0};
}

void TimerWheel::expire_slot(int slot, int64_t now_ns, bool current) {
    TimerNode*& head = slots_[0][slot];
    // One pass takes the due nodes and, for the current tick, notes the earliest deadline left
    // (so next_deadline() need not rescan): with thousands of timers in one millisecond the
    // loop wakes on each exact deadline, and only the few due at each wake are sorted.
    int64_t earliest_left = INT64_MAX;
    for (TimerNode* t = head; t;) {
        TimerNode* next = t->next;
        assert(t->where == 0 && t->slot == slot);
        if (t->deadline <= now_ns) {
            unlink(head, t);
            scratch_.push_back(t);
        } else {
            earliest_left = std::min(earliest_left, t->deadline);
        }
        t = next;
    }
    if (!head) occupied_[0] &= ~(uint64_t{1} << slot);
    if (current) {
        cur_min_ = earliest_left;
        cur_min_tick_ = cur_;
    }

    // Slots hold one tick each, so sorting per slot and appending slot by slot keeps the whole
    // batch in (deadline, seq) order.
    std::sort(scratch_.begin(), scratch_.end(), fires_before);
    for (TimerNode* t : scratch_) append_expired(t);
    scratch_.clear();
}

void TimerWheel::append_expired(TimerNode* t) {
    t->where = TimerNode::kExpired;
    t->next = nullptr;
    t->prev = expired_tail_;
    if (expired_tail_) {
        expired_tail_->next = t;
    } else {
        expired_head_ = t;
    }
    expired_tail_ = t;
}

void TimerWheel::cascade(int level, int slot) {
    TimerNode* t = slots_[level][slot];
    slots_[level][slot] = nullptr;
    occupied_[level] &= ~(uint64_t{1} << slot);
    while (t) {
        TimerNode* next = t->next;
        assert(t->where == level && t->slot == slot);
        place(t);
        assert(t->where < level);
        t = next;
    }
}

void TimerWheel::reinsert_overflow() {
    TimerNode* t = overflow_;
    overflow_ = nullptr;
    overflow_min_ = kNoTick;
    while (t) {
        TimerNode* next = t->next;
        place(t);
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
        if (e.level < 0) {
            if (!overflow_) break;
            uint64_t block = overflow_min_ & ~kBlockMask;
            assert(block > cur_);
            if (block > target) break;
            cur_ = block;
            reinsert_overflow();
            continue;
        }
        if (e.start > target) break;
        cur_ = e.start;
        if (e.level > 0) {
            cascade(e.level, e.slot);
            continue;
        }
        expire_slot(e.slot, position_, e.start == target);
        // The target tick's slot keeps its not-yet-due timers; looking again would find it.
        if (e.start == target) break;
    }
    cur_ = target;
    check_invariants();
}

TimerNode* TimerWheel::pop_expired() {
    TimerNode* t = expired_head_;
    if (!t) return nullptr;
    assert(t->where == TimerNode::kExpired);
    if (t == expired_tail_) expired_tail_ = nullptr;
    unlink(expired_head_, t);
    t->where = TimerNode::kUnlinked;
    --size_;
    return t;
}

int64_t TimerWheel::next_deadline() const {
    // The current tick's slot is scanned for the exact minimum so the loop's poll timeout ends on
    // the deadline itself; such slots hold at most the timers of one millisecond.
    if (const TimerNode* t = slots_[0][cur_ & (kSlots - 1)]) {
        if (cur_min_tick_ == cur_) return cur_min_;
        int64_t earliest = t->deadline;
        for (t = t->next; t; t = t->next) earliest = std::min(earliest, t->deadline);
        return earliest;
    }
    Expiration e = next_expiration();
    if (e.level >= 0) return ns_of(e.start);
    if (overflow_) return ns_of(overflow_min_ & ~kBlockMask);
    return INT64_MAX;
}

void TimerWheel::check_invariants() const {
#ifndef NDEBUG
    // Cheap enough to run after every advance(): one pass over the slot heads, not the timers.
    for (int level = 0; level < kLevels; ++level) {
        for (int slot = 0; slot < kSlots; ++slot) {
            const TimerNode* head = slots_[level][slot];
            assert((head != nullptr) == static_cast<bool>(occupied_[level] >> slot & 1));
            assert(!head || (head->prev == nullptr && head->where == level));
        }
    }
    assert(!overflow_ || overflow_->where == TimerNode::kOverflow);
    assert((expired_head_ == nullptr) == (expired_tail_ == nullptr));
    assert(cur_ == tick_of(position_));
#endif
}

}  // namespace corio::detail
