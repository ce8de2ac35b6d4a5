// WaitQueue: coroutines parked until someone wakes them all, with an optional deadline each
// (a bare condition for "the stream has closed", "a connection slot is free", "the server has
// closed"). Layer 5 internals; follows the parking protocol of detail/task_core.hpp.
//
// Invariants: an awaiter is linked iff its coroutine is parked here and not yet woken; waking
// unlinks before scheduling, so a coroutine is scheduled at most once per wait.
#pragma once

#include <coroutine>
#include <cstdint>

#include "corio/detail/intrusive_list.hpp"
#include "corio/detail/park.hpp"

namespace corio::detail {

class WaitQueue;

// co_await WaitQueue::Awaiter(queue[, deadline_ns]); resumes with false when the deadline
// passed before a wake. A Park linked into the queue while it waits.
class WaitQueueAwaiter : Park {
public:
    explicit WaitQueueAwaiter(WaitQueue& q, int64_t deadline_ns = 0) noexcept
        : q_(&q), deadline_(deadline_ns) {
        on_leave = &WaitQueueAwaiter::unlink;
    }
    inline ~WaitQueueAwaiter();

    bool await_ready() const noexcept { return false; }
    template <class P>
    void await_suspend(std::coroutine_handle<P> h) {
        TaskCore* t = begin_wait(h);
        link();
        if (deadline_ > 0) arm(deadline_);
        park_on(t);
    }
    bool await_resume() {
        finish_wait();
        return !timed_out();
    }

private:
    friend class WaitQueue;
    inline void link() noexcept;
    static inline void unlink(Park* p) noexcept;

    WaitQueue* q_;
    int64_t deadline_;
    ListHook<WaitQueueAwaiter> hook_;
    bool linked_ = false;
};

class WaitQueue {
public:
    using Awaiter = WaitQueueAwaiter;

    WaitQueue() = default;
    WaitQueue(const WaitQueue&) = delete;
    WaitQueue& operator=(const WaitQueue&) = delete;

    bool empty() const noexcept { return waiters_.empty(); }
    // Wakes every waiter (newest first, as they are linked at the front).
    void wake_all() noexcept {
        while (Awaiter* a = waiters_.front()) {
            Awaiter::unlink(a);
            a->wake();
        }
    }

private:
    friend class WaitQueueAwaiter;
    IntrusiveList<WaitQueueAwaiter, &WaitQueueAwaiter::hook_> waiters_;
};

inline WaitQueueAwaiter::~WaitQueueAwaiter() { unlink(this); }

inline void WaitQueueAwaiter::link() noexcept {
    q_->waiters_.push_front(this);
    linked_ = true;
}

inline void WaitQueueAwaiter::unlink(Park* p) noexcept {
    auto* self = static_cast<WaitQueueAwaiter*>(p);
    if (!self->linked_) return;
    self->q_->waiters_.remove(self);
    self->linked_ = false;
}

}  // namespace corio::detail
