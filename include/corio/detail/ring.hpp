// Ring<T>: a FIFO ring buffer that doubles when full and keeps its capacity, so a queue in
// steady state allocates nothing per item. Used by the loop's ready queue and by Queue.
// Standard library only.
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <utility>

namespace corio::detail {

// Invariants: cap_ is 0 or a power of two (kFirst, then doubled); slots [head_, head_ + size_)
// (mod cap_) hold live objects, all others raw storage. pop() is only called when size() > 0.
template <class T, size_t kFirst = 16>
class Ring {
    static_assert(kFirst > 0 && (kFirst & (kFirst - 1)) == 0, "a power of two");

public:
    Ring() = default;
    Ring(const Ring&) = delete;
    Ring& operator=(const Ring&) = delete;
    ~Ring() {
        while (size_) pop();
        std::allocator<T>().deallocate(buf_, cap_);
    }

    bool empty() const noexcept { return size_ == 0; }
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
        size_t ncap = cap_ ? cap_ * 2 : kFirst;
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

}  // namespace corio::detail
