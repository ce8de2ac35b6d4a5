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

#include "corio/detail/ring.hpp"

namespace corio::detail {

// First in, first out.
template <class T>
using FifoStore = Ring<T>;

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
