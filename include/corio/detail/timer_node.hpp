// The intrusive timer node shared by the timer wheel (src/reactor/timer_wheel.hpp) and the awaiters
// and callbacks that embed one. Public only because templates in the public headers embed it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "corio/detail/intrusive_list.hpp"

namespace corio::detail {

// An intrusive timer. The owner (an awaiter in a coroutine frame, or a heap callback) embeds it
// and must cancel it before destroying it if it is still linked. 40 bytes.
struct TimerNode {
    // Values of `where` besides a level number 0..4.
    static constexpr uint8_t kOverflow = 5;
    static constexpr uint8_t kExpired = 6;
    static constexpr uint8_t kUnlinked = 0xff;

    ListHook<TimerNode> hook;            // slot list, overflow list or expired queue
    int64_t deadline = 0;                // absolute, nanoseconds on the loop clock
    void (*fire)(TimerNode*) = nullptr;  // called by the loop after pop_expired(); not by the wheel
    // Set by insert(): insertion order, breaks deadline ties. 32 bits compared with wrap-around
    // (serial-number arithmetic), which is exact while armed timers span < 2^31 insertions.
    uint32_t seq = 0;
    uint8_t where = kUnlinked;  // level 0..4, kOverflow, kExpired or kUnlinked
    // Slot index within the level when where <= 4. 16 bits because level 0 has 4096 slots; it
    // fits in the padding after `where`, so the node does not grow.
    uint16_t slot = 0;

    bool linked() const { return where != kUnlinked; }  // in the wheel or in its expired queue
};
// Awaiters embed a node in every coroutine frame that sleeps; keep it to five words.
static_assert(sizeof(void*) != 8 || sizeof(TimerNode) == 40);
// The links stay first, beside the deadline that every walk of a slot reads with them.
static_assert(offsetof(TimerNode, hook) == 0);

// True when a was inserted before b (seq compared with wrap-around).
inline bool inserted_before(const TimerNode* a, const TimerNode* b) {
    return static_cast<int32_t>(a->seq - b->seq) < 0;
}

}  // namespace corio::detail
