// corio::Queue, LifoQueue and PriorityQueue: asyncio's queues. Layer 4, over the wait list of
// detail/wait_list.hpp; the item order comes from detail/queue_store.hpp.
//
// Fairness and cancellation by reservation. When an item arrives for a queued getter, the item
// stays in the store and the getter is woken holding a claim on one item (reserved_items_);
// when a slot frees up for a queued putter, it is woken holding a claim on one slot
// (reserved_slots_). The *_nowait calls and the fast paths see only unclaimed items and slots,
// so nobody barges past a woken waiter. A waiter cancelled after being woken drops its claim
// and hands it to the next waiter: no item is lost, and maxsize is never exceeded.
// Invariants: reserved_items_ <= store size; getters queued => no unclaimed item;
// putters queued => no unclaimed slot.
//
// Threads: everything here runs on the thread of the one loop that uses the queue; from another
// thread, hand items over with Loop::call_soon_threadsafe. Throws: as noted, and what T's
// copy/move or the priority Compare throws; the awaits (put, get, join) throw CancelledError
// when the awaiting task is cancelled, without losing or duplicating an item.
#pragma once

#include <coroutine>
#include <cstddef>
#include <functional>
#include <utility>

#include "corio/detail/queue_store.hpp"
#include "corio/detail/wait_list.hpp"
#include "corio/error.hpp"

namespace corio {

namespace detail {

template <class T, class Store>
class BasicQueue {
public:
    class PutAwaiter : WaitNode {
    public:
        PutAwaiter(BasicQueue* q, T v) : q_(q), value_(std::move(v)) {}
        PutAwaiter(PutAwaiter&&) = default;  // before it is awaited only (WaitNode's)
        ~PutAwaiter() {
            if (woken()) q_->drop_slot_claim();
        }
        bool await_ready() {
            if (!q_->slot_free()) return false;
            q_->push(std::move(value_));
            return true;
        }
        template <class P>
        void await_suspend(std::coroutine_handle<P> h) {
            suspend_in(q_->putters_, h);
        }
        void await_resume() {
            if (!suspended()) return;  // pushed in await_ready
            if (take_woken()) {
                --q_->reserved_slots_;
                if (cancel_due()) q_->pass_slot_claim();
            }
            finish_wait();
            q_->push(std::move(value_));
        }

    private:
        BasicQueue* q_;
        T value_;
    };

    class GetAwaiter : WaitNode {
    public:
        explicit GetAwaiter(BasicQueue* q) noexcept : q_(q) {}
        GetAwaiter(GetAwaiter&&) noexcept = default;  // before it is awaited only (WaitNode's)
        ~GetAwaiter() {
            if (woken()) q_->drop_item_claim();
        }
        bool await_ready() const noexcept { return q_->item_free(); }
        template <class P>
        void await_suspend(std::coroutine_handle<P> h) {
            suspend_in(q_->getters_, h);
        }
        T await_resume() {
            if (!suspended()) return q_->pop();  // an item was free in await_ready
            if (take_woken()) {
                --q_->reserved_items_;
                if (cancel_due()) q_->pass_item_claim();
            }
            finish_wait();
            return q_->pop();
        }

    private:
        BasicQueue* q_;
    };

    class JoinAwaiter : WaitNode {
    public:
        explicit JoinAwaiter(BasicQueue* q) noexcept : q_(q) {}
        bool await_ready() const noexcept { return q_->unfinished_ == 0; }
        template <class P>
        void await_suspend(std::coroutine_handle<P> h) {
            suspend_in(q_->joiners_, h);
        }
        void await_resume() {
            take_woken();
            finish_wait();
        }

    private:
        BasicQueue* q_;
    };

    // maxsize 0: unbounded.
    explicit BasicQueue(size_t maxsize = 0) noexcept : maxsize_(maxsize) {}
    BasicQueue(const BasicQueue&) = delete;
    BasicQueue& operator=(const BasicQueue&) = delete;

    // co_await q.put(v): waits while the queue is full.
    [[nodiscard]] PutAwaiter put(T v) { return PutAwaiter(this, std::move(v)); }
    // co_await q.get() -> T: waits while the queue is empty.
    [[nodiscard]] GetAwaiter get() noexcept { return GetAwaiter(this); }
    // Throw QueueFull / QueueEmpty instead of waiting.
    void put_nowait(T v) {
        if (!slot_free()) throw QueueFull();
        push(std::move(v));
    }
    T get_nowait() {
        if (!item_free()) throw QueueEmpty();
        return pop();
    }
    // Items waiting to be taken (those already promised to a woken getter excluded). This and
    // the next three never throw.
    size_t qsize() const noexcept { return store_.size() - reserved_items_; }
    size_t maxsize() const noexcept { return maxsize_; }
    bool empty() const noexcept { return !item_free(); }
    bool full() const noexcept { return !slot_free(); }

    // One item taken with get() is processed; join() returns when every item put was.
    // InvalidStateError when called more often than items were put.
    void task_done() {
        if (unfinished_ == 0) throw InvalidStateError("task_done() called too many times");
        if (--unfinished_ == 0) joiners_.wake_all();
    }
    [[nodiscard]] JoinAwaiter join() noexcept { return JoinAwaiter(this); }

private:
    bool slot_free() const noexcept {
        return maxsize_ == 0 || store_.size() + reserved_slots_ < maxsize_;
    }
    bool item_free() const noexcept { return store_.size() > reserved_items_; }

    void push(T&& v) {
        store_.push(std::move(v));
        ++unfinished_;
        if (getters_.wake_one()) ++reserved_items_;
    }
    T pop() {
        T v = store_.pop();
        if (maxsize_ && putters_.wake_one()) ++reserved_slots_;
        return v;
    }
    void pass_item_claim() noexcept {
        if (getters_.wake_one()) ++reserved_items_;
    }
    void pass_slot_claim() noexcept {
        if (putters_.wake_one()) ++reserved_slots_;
    }
    void drop_item_claim() noexcept {
        --reserved_items_;
        pass_item_claim();
    }
    void drop_slot_claim() noexcept {
        --reserved_slots_;
        pass_slot_claim();
    }

    Store store_;
    size_t maxsize_;
    size_t reserved_items_ = 0;
    size_t reserved_slots_ = 0;
    size_t unfinished_ = 0;
    WaitList getters_;
    WaitList putters_;
    WaitList joiners_;
};

}  // namespace detail

// First in, first out (asyncio.Queue).
template <class T>
class Queue : public detail::BasicQueue<T, detail::FifoStore<T>> {
public:
    using detail::BasicQueue<T, detail::FifoStore<T>>::BasicQueue;
};

// Last in, first out (asyncio.LifoQueue).
template <class T>
class LifoQueue : public detail::BasicQueue<T, detail::LifoStore<T>> {
public:
    using detail::BasicQueue<T, detail::LifoStore<T>>::BasicQueue;
};

// Smallest first by Compare (asyncio.PriorityQueue, which pops the least entry).
template <class T, class Compare = std::less<T>>
class PriorityQueue : public detail::BasicQueue<T, detail::HeapStore<T, Compare>> {
public:
    using detail::BasicQueue<T, detail::HeapStore<T, Compare>>::BasicQueue;
};

}  // namespace corio
