// The loop's FIFO of runnable work: coroutine handles and callback nodes in one ring buffer.
// Pushing a handle allocates nothing (the ring only grows, by doubling, and keeps its size).
//
// Invariants: capacity is a power of two; items [head, head+size) are live; an item's low bit
// tells a CallbackNode* (1) from a coroutine frame address (0; frames are 16-byte aligned).
#pragma once

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

#include "corio/detail/callback.hpp"

namespace corio::detail {

class ReadyQueue {
public:
    ReadyQueue() = default;
    ReadyQueue(const ReadyQueue&) = delete;
    ReadyQueue& operator=(const ReadyQueue&) = delete;
    ~ReadyQueue() { std::free(items_); }

    bool empty() const noexcept { return size_ == 0; }
    size_t size() const noexcept { return size_; }

    void push(std::coroutine_handle<> h) { push_raw(reinterpret_cast<uintptr_t>(h.address())); }
    void push(CallbackNode* cb) { push_raw(reinterpret_cast<uintptr_t>(cb) | 1u); }

    // Pops the oldest item; exactly one of the two outputs is set.
    void pop(std::coroutine_handle<>& h, CallbackNode*& cb) noexcept {
        uintptr_t v = items_[head_];
        head_ = (head_ + 1) & (cap_ - 1);
        --size_;
        if (v & 1u) {
            cb = reinterpret_cast<CallbackNode*>(v & ~uintptr_t{1});
            h = nullptr;
        } else {
            cb = nullptr;
            h = std::coroutine_handle<>::from_address(reinterpret_cast<void*>(v));
        }
    }

private:
    void push_raw(uintptr_t v) {
        if (size_ == cap_) grow();
        items_[(head_ + size_) & (cap_ - 1)] = v;
        ++size_;
    }
    void grow() {
        size_t ncap = cap_ ? cap_ * 2 : 256;
        auto* n = static_cast<uintptr_t*>(std::malloc(ncap * sizeof(uintptr_t)));
        if (!n) throw std::bad_alloc();
        for (size_t i = 0; i < size_; ++i) n[i] = items_[(head_ + i) & (cap_ - 1)];
        std::free(items_);
        items_ = n;
        cap_ = ncap;
        head_ = 0;
    }

    uintptr_t* items_ = nullptr;
    size_t cap_ = 0;
    size_t head_ = 0;
    size_t size_ = 0;
};

}  // namespace corio::detail
