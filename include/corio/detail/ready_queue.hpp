// The loop's FIFO of runnable work: coroutine handles and callback nodes in one ring buffer.
// Pushing a handle allocates nothing (the ring only grows, by doubling, and keeps its size).
//
// Invariant: an item's low bit tells a CallbackNode* (1) from a coroutine frame address (0;
// frames are 16-byte aligned).
#pragma once

#include <coroutine>
#include <cstddef>
#include <cstdint>

#include "corio/detail/callback.hpp"
#include "corio/detail/ring.hpp"

namespace corio::detail {

class ReadyQueue {
public:
    bool empty() const noexcept { return items_.empty(); }
    size_t size() const noexcept { return items_.size(); }

    void push(std::coroutine_handle<> h) { items_.push(reinterpret_cast<uintptr_t>(h.address())); }
    void push(CallbackNode* cb) { items_.push(reinterpret_cast<uintptr_t>(cb) | 1u); }

    // Pops the oldest item; exactly one of the two outputs is set.
    void pop(std::coroutine_handle<>& h, CallbackNode*& cb) noexcept {
        uintptr_t v = items_.pop();
        if (v & 1u) {
            cb = reinterpret_cast<CallbackNode*>(v & ~uintptr_t{1});
            h = nullptr;
        } else {
            cb = nullptr;
            h = std::coroutine_handle<>::from_address(reinterpret_cast<void*>(v));
        }
    }

private:
    Ring<uintptr_t, 256> items_;
};

}  // namespace corio::detail
