// DeadlineAwaiter: runs an inner awaiter (a Coro's or a Task's) under a deadline, for wait_for
// and timeout. Layer 4 plumbing; uses the loop's timers and the parking protocol.
//
// The work runs inline in the awaiting task, as Python 3.12's timeout() does, so a deadline
// costs one timer node embedded in the frame and nothing on the heap. At expiry the awaiting
// task is cancelled: CancelledError lands at the innermost suspension point inside the work,
// the work's cleanup runs to the end, and what reaches us is turned into TimeoutError.
//
// A result that arrives in the same tick as the deadline wins. So expiry takes two looks: the
// first firing only re-arms the node (a passed deadline fires at the next poll, after every
// wake-up of this poll was delivered); a later firing cancels only while the task is parked in
// an awaiter nothing has woken yet, and otherwise looks again at the next poll. A result that
// got through in between is returned, and the timer is simply disarmed.
//
// TimeoutError only when our own request is the only one: TaskCore::cancel_requests() counts
// cancel() calls, so a cancel from elsewhere made meanwhile still surfaces as CancelledError.
#pragma once

#include <coroutine>
#include <cstdint>
#include <utility>

#include "corio/detail/task_core.hpp"
#include "corio/detail/timed_wait.hpp"
#include "corio/detail/timer_node.hpp"
#include "corio/error.hpp"
#include "corio/loop.hpp"

namespace corio::detail {

template <class Inner>
class DeadlineAwaiter : TimerNode {
public:
    template <class... Args>
    explicit DeadlineAwaiter(int64_t delay_ns, Args&&... args)
        : inner_{std::forward<Args>(args)...}, delay_(delay_ns) {}
    DeadlineAwaiter(const DeadlineAwaiter&) = delete;
    DeadlineAwaiter& operator=(const DeadlineAwaiter&) = delete;
    ~DeadlineAwaiter() { disarm(); }

    bool await_ready() { return inner_.await_ready(); }
    template <class P>
    void await_suspend(std::coroutine_handle<P> h) {
        task_ = task_of(h);
        if (!task_) throw InvalidStateError("a deadline needs a corio task to cancel");
        loop_ = task_->loop();
        deadline = deadline_after(loop_->now_ns(), delay_);
        fire = &DeadlineAwaiter::on_fire;
        loop_->add_timer(this);
        // Last: the inner awaiter may run the work to completion and resume h, which destroys
        // this awaiter before the call returns.
        inner_.await_suspend(h);
    }
    decltype(auto) await_resume() {
        disarm();
        if (!cancelled_) return inner_.await_resume();
        try {
            return inner_.await_resume();
        } catch (const CancelledError&) {
            if (task_->cancel_requests() == cancels_before_ + 1) throw TimeoutError();
            task_->take_cancel();  // a cancel from elsewhere still pending: deliver it, once
            throw;
        }
    }

private:
    static void on_fire(TimerNode* n) {
        auto* self = static_cast<DeadlineAwaiter*>(n);
        if (!std::exchange(self->expired_, true) || !self->task_->parked()) {
            self->loop_->add_timer(self);  // deadline passed: due again at the next poll
            return;
        }
        self->cancelled_ = true;
        self->cancels_before_ = self->task_->cancel_requests();
        self->task_->cancel();
    }
    void disarm() noexcept {
        if (TimerNode::linked()) loop_->cancel_timer(this);
    }

    Inner inner_;
    int64_t delay_;
    TaskCore* task_ = nullptr;
    Loop* loop_ = nullptr;
    uint32_t cancels_before_ = 0;
    bool expired_ = false;
    bool cancelled_ = false;
};

}  // namespace corio::detail
