// WaitQueue: coroutines parked until someone wakes them all, with an optional deadline each
// (a bare condition for "the stream has closed", "a connection slot is free", "the server has
// closed"). Layer 5 internals; follows the parking protocol of detail/task_core.hpp.
//
// Invariants: a node is linked iff its coroutine is parked here and not yet woken; waking
// unlinks before scheduling, so a coroutine is scheduled at most once per wait.
#pragma once

#include <coroutine>
#include <cstdint>

#include "corio/detail/task_core.hpp"
#include "corio/detail/timer_node.hpp"
#include "corio/loop.hpp"

namespace corio::detail {

class WaitQueue {
public:
    class Awaiter;

    WaitQueue() = default;
    WaitQueue(const WaitQueue&) = delete;
    WaitQueue& operator=(const WaitQueue&) = delete;

    bool empty() const noexcept { return head_ == nullptr; }
    inline void wake_all() noexcept;

private:
    friend class Awaiter;
    Awaiter* head_ = nullptr;
};

// co_await WaitQueue::Awaiter(queue[, deadline_ns]); resumes with false when the deadline
// passed before a wake.
class WaitQueue::Awaiter : Waiter, TimerNode {
public:
    explicit Awaiter(WaitQueue& q, int64_t deadline_ns = 0) noexcept
        : q_(&q), deadline_(deadline_ns) {}
    Awaiter(const Awaiter&) = delete;
    Awaiter& operator=(const Awaiter&) = delete;
    ~Awaiter() {
        unlink();
        if (TimerNode::linked()) loop_->cancel_timer(this);
        unpark();
    }

    bool await_ready() const noexcept { return false; }
    template <class P>
    void await_suspend(std::coroutine_handle<P> h) {
        handle_ = h;
        loop_ = &Loop::current();
        link();
        if (deadline_ > 0) {
            TimerNode::deadline = deadline_;
            TimerNode::fire = &Awaiter::on_deadline;
            loop_->add_timer(this);
        }
        Waiter::on_cancel = &Awaiter::on_cancelled;
        if (TaskCore* t = task_of(h)) t->park(this);
    }
    bool await_resume() {
        unpark();
        if (task) task->take_cancel();
        return !timed_out_;
    }

private:
    friend class WaitQueue;
    void link() noexcept {
        prev_ = nullptr;
        next_ = q_->head_;
        if (next_) next_->prev_ = this;
        q_->head_ = this;
        linked_ = true;
    }
    void unlink() noexcept {
        if (!linked_) return;
        if (prev_) {
            prev_->next_ = next_;
        } else {
            q_->head_ = next_;
        }
        if (next_) next_->prev_ = prev_;
        prev_ = next_ = nullptr;
        linked_ = false;
    }
    void resume_soon() noexcept {
        unlink();
        if (TimerNode::linked()) loop_->cancel_timer(this);
        loop_->schedule(handle_);
    }
    static void on_deadline(TimerNode* n) {
        auto* self = static_cast<Awaiter*>(n);
        self->timed_out_ = true;
        self->unpark();
        self->resume_soon();
    }
    static void on_cancelled(Waiter* w) { static_cast<Awaiter*>(w)->resume_soon(); }

    WaitQueue* q_;
    int64_t deadline_;
    Loop* loop_ = nullptr;
    std::coroutine_handle<> handle_;
    Awaiter* prev_ = nullptr;
    Awaiter* next_ = nullptr;
    bool linked_ = false;
    bool timed_out_ = false;
};

inline void WaitQueue::wake_all() noexcept {
    while (Awaiter* a = head_) {
        a->unpark();
        a->resume_soon();
    }
}

}  // namespace corio::detail
