// TimerWheel::check_invariants: the invariants of timer_wheel.hpp, asserted after every advance()
// in debug builds (compiled to nothing with NDEBUG). Kept apart from the wheel's operations so
// each file reads as one concern.
#include <bit>
#include <cassert>

#include "timer_wheel.hpp"

namespace corio::detail {

namespace {
[[maybe_unused]] constexpr uint64_t bit(int i) { return uint64_t{1} << i; }
}  // namespace

void TimerWheel::check_invariants() const {
#ifndef NDEBUG
    // Runs after every advance(), so it visits slot heads, not timers, and not all 4096 level-0
    // heads each time: every occupied slot is checked, and the slots whose bit is clear are
    // checked for the current tick's 64-slot word and for one more word in turn, so a list
    // left behind a cleared bit is caught within 64 advances.
    auto check_level0_head = [&](int slot) {
        const TimerNode* head = level0_[slot].front();
        const bool occupied = level0_occupied_[slot / kWordBits] >> (slot % kWordBits) & 1;
        assert((head != nullptr) == occupied);
        if (!head) return;
        assert(SlotList::prev(head) == nullptr && head->where == 0 && head->slot == slot);
        const uint64_t tick = tick_of(head->deadline);
        assert(tick - cur_ < kLevel0Slots);
        assert(static_cast<int>(tick & (kLevel0Slots - 1)) == slot);
    };
    uint64_t summary = 0;
    for (int w = 0; w < kLevel0Words; ++w) {
        if (!level0_occupied_[w]) continue;
        summary |= bit(w);
        for (uint64_t bits = level0_occupied_[w]; bits; bits &= bits - 1) {
            check_level0_head(w * kWordBits + std::countr_zero(bits));
        }
    }
    assert(summary == level0_summary_);
    const int current_word = static_cast<int>(cur_ & (kLevel0Slots - 1)) / kWordBits;
    for (int w : {current_word, static_cast<int>(checks_++ % kLevel0Words)}) {
        for (int slot = w * kWordBits; slot < (w + 1) * kWordBits; ++slot) check_level0_head(slot);
    }
    for (int level = 1; level < kLevels; ++level) {
        const int shift = level_shift(level);
        for (int slot = 0; slot < kSlots; ++slot) {
            const TimerNode* head = upper_[level - 1][slot].front();
            assert((head != nullptr) == static_cast<bool>(upper_occupied_[level - 1] >> slot & 1));
            if (!head) continue;
            assert(SlotList::prev(head) == nullptr && head->where == level && head->slot == slot);
            const uint64_t tick = tick_of(head->deadline);
            assert(((tick ^ cur_) >> level_shift(level + 1)) == 0);
            assert(static_cast<int>(tick >> shift & (kSlots - 1)) == slot);
            assert(slot > static_cast<int>(cur_ >> shift & (kSlots - 1)));
        }
    }
    const TimerNode* over = overflow_.front();
    assert(!over ||
           (over->where == TimerNode::kOverflow && overflow_min_ <= tick_of(over->deadline) &&
            (overflow_min_ >> kTopBits) > (cur_ >> kTopBits)));
    const TimerNode* expired = expired_.back();
    assert(!expired ||
           (expired->where == TimerNode::kExpired && !decltype(expired_)::next(expired)));
    assert(cur_ == tick_of(position_));
#endif
}

}  // namespace corio::detail
