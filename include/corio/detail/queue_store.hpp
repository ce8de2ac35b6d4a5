// The containers behind Queue, LifoQueue and PriorityQueue: what order items leave in.
// Layer 4 plumbing for queue.hpp; standard library only. Each offers push, pop and size; pop
// is only called when size() > 0.
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace corio::detail {

// First in, first out: a ring buffer that doubles when full and keeps its capacity, so a queue
// in steady state allocates nothing per item.
// Invariants: cap_ is 0 or a power of two; slots [head_, head_ + size_) (mod cap_) hold live
// objects, all others raw storage.
template <class T>
class FifoStore {
public:
    FifoStore() = default;
    FifoStore(const FifoStore&) = delete;
    FifoStore& operator=(const FifoStore&) = delete;
    ~FifoStore() {
        while (size_) pop();
        std::allocator<T>().deallocate(buf_, cap_);
    }

    size_t size() const noexcept { return size_; }
    void push(T&& v) {
        if (size_ == cap_) grow();
        ::new (static_cast<void*>(buf_ + ((head_ + size_) & (cap_ - 1)))) T(std::move(v));
        ++size_;
    }
    T pop() {
        T* slot = buf_ + head_;
        T v = std::move(*slot);
        slot->~T();
        head_ = (head_ + 1) & (cap_ - 1);
        --size_;
        return v;
    }

private:
    void grow() {
        size_t ncap = cap_ ? cap_ * 2 : 16;
        T* n = std::allocator<T>().allocate(ncap);
        for (size_t i = 0; i < size_; ++i) {
            T* from = buf_ + ((head_ + i) & (cap_ - 1));
            ::new (static_cast<void*>(n + i)) T(std::move(*from));
            from->~T();
        }
        std::allocator<T>().deallocate(buf_, cap_);
        buf_ = n;
        cap_ = ncap;
        head_ = 0;
    }

    T* buf_ = nullptr;
    size_t cap_ = 0;
    size_t head_ = 0;
    size_t size_ = 0;
};

// Last in, first out.
template <class T>
class LifoStore {
public:
    size_t size() const noexcept { return items_.size(); }
    void push(T&& v) { items_.push_back(std::move(v)); }
    T pop() {
        T v = std::move(items_.back());
        items_.pop_back();
        return v;
    }

private:
    std::vector<T> items_;
};

// Smallest first (by Compare), as Python's heapq: a binary heap in a vector. Items that compare
// equal leave in no particular order.
template <class T, class Compare>
class HeapStore {
public:
    size_t size() const noexcept { return items_.size(); }
    void push(T&& v) {
        items_.push_back(std::move(v));
        std::push_heap(items_.begin(), items_.end(), later_);
    }
    T pop() {
        std::pop_heap(items_.begin(), items_.end(), later_);
        T v = std::move(items_.back());
        items_.pop_back();
        return v;
    }

private:
    // std heaps put the greatest on top; inverting the order puts the smallest there.
    struct Later {
        Compare less;
        bool operator()(const T& a, const T& b) const { return less(b, a); }
    };
    std::vector<T> items_;
    Later later_{};
};

}  // namespace corio::detail
