// Deadlines for wait_for and timeout: awaiters that run a Coro or await a Task under a timer.
// Layer 4 plumbing; uses the loop's timers, the trampoline and the parking protocol.
//
// The work runs inline in the awaiting task, as Python 3.12's timeout() does, so a deadline
// costs one timer node embedded in the frame and nothing on the heap. At expiry the awaiting
// task is cancelled: CancelledError lands at the innermost suspension point inside the work,
// the work's cleanup runs to the end, and what reaches us is turned into TimeoutError.
//
// The clock starts when the deadline starts (when wait_for is awaited), before the work runs a
// line: a work that computes for a while before its first await gets no extra time. No timer
// for work that never waits: CoroDeadline starts the work itself, with a no-op continuation,
// and arms the timer only if the work suspended.
//
// A result that arrives in the same tick as the deadline wins. So expiry takes two looks: the
// first firing only re-arms the node (a passed deadline fires at the next poll, after every
// wake-up of this poll was delivered); a later firing cancels only while the task is parked in
// an awaiter nothing has woken yet, and otherwise looks again at the next poll. A result that
// got through in between is returned, and the timer is simply disarmed.
//
// Ours or foreign, as asyncio's Timeout.__aexit__ decides: an expired deadline always takes its
// own cancel back (uncancel), and turns CancelledError into TimeoutError only when that leaves
// the task's cancelling() count where it was when the deadline started. So a cancel from
// elsewhere still surfaces as CancelledError, and a deadline that expired inside the cleanup
// of another one (a timed-out request closing under its own timeout) leaves the outer one
// counting right: it throws TimeoutError too.
#pragma once

#include <coroutine>
#include <cstdint>
#include <utility>

#include "corio/coro.hpp"
#include "corio/detail/loop_access.hpp"
#include "corio/detail/park.hpp"
#include "corio/detail/task_core.hpp"
#include "corio/detail/timer_node.hpp"
#include "corio/detail/trampoline.hpp"
#include "corio/error.hpp"
#include "corio/loop.hpp"
#include "corio/task.hpp"

namespace corio::detail {

class DeadlineBase : TimerNode {
public:
    DeadlineBase(const DeadlineBase&) = delete;
    DeadlineBase& operator=(const DeadlineBase&) = delete;

protected:
    explicit DeadlineBase(int64_t delay_ns) noexcept : delay_(delay_ns) {}
    ~DeadlineBase() { disarm(); }

    template <class P>
    static TaskCore* task_for(std::coroutine_handle<P> h) {
        TaskCore* t = task_of(h);
        if (!t) throw InvalidStateError("a deadline needs a corio task to cancel");
        return t;
    }
    // Starts the clock (one read), and notes how many cancels the task had then.
    void start(TaskCore* t) {
        task_ = t;
        loop_ = t->loop();
        deadline = deadline_after(detail::LoopAccess::now_ns(*loop_), delay_);
        cancelling_at_start_ = t->cancelling();
    }
    void arm() {
        fire = &DeadlineBase::on_fire;
        detail::LoopAccess::add_timer(*loop_, this);
    }
    // Disarms, then returns take() or turns the CancelledError our expiry caused into
    // TimeoutError.
    template <class Take>
    decltype(auto) finish(Take take) {
        disarm();
        if (!cancelled_) return take();
        // Whatever the work ended with: our request is answered, take it back.
        bool ours_alone = task_->uncancel() <= cancelling_at_start_;
        try {
            return take();
        } catch (const CancelledError&) {
            if (ours_alone) throw TimeoutError();
            task_->take_cancel();  // a cancel from elsewhere still pending: deliver it, once
            throw;
        }
    }

private:
    static void on_fire(TimerNode* n) {
        auto* self = static_cast<DeadlineBase*>(n);
        if (!std::exchange(self->expired_, true) || !self->task_->parked()) {
            detail::LoopAccess::add_timer(*self->loop_,
                                          self);  // deadline passed: due again at the next poll
            return;
        }
        self->cancelled_ = true;
        self->task_->cancel();
    }
    void disarm() noexcept {
        if (TimerNode::linked()) detail::LoopAccess::cancel_timer(*loop_, this);
    }

    int64_t delay_;
    TaskCore* task_ = nullptr;
    Loop* loop_ = nullptr;
    uint32_t cancelling_at_start_ = 0;
    bool expired_ = false;
    bool cancelled_ = false;
};

// Runs a Coro under a deadline.
template <class T>
class CoroDeadline : DeadlineBase {
public:
    CoroDeadline(Coro<T>& work, int64_t delay_ns) : DeadlineBase(delay_ns), work_(work.handle()) {
        if (!work_ || work_.done()) throw InvalidStateError("wait_for of an empty or spent Coro");
    }

    bool await_ready() const noexcept { return false; }
    template <class P>
    bool await_suspend(std::coroutine_handle<P> h) {
        TaskCore* t = task_for(h);
        start(t);
        CoroPromise<T>& p = work_.promise();
        p.task = t;
        // Run the work now, on a nested trampoline, handing control nowhere when it finishes.
        p.continuation = std::noop_coroutine();
        drive(work_);
        if (work_.done()) return false;  // finished without waiting: no timer
        p.continuation = h;
        arm();
        return true;
    }
    T await_resume() {
        return finish([this]() -> T { return work_.promise().take(); });
    }

private:
    std::coroutine_handle<CoroPromise<T>> work_;
};

// Awaits a Task under a deadline; a Task already done arms nothing.
template <class T, bool Move>
class TaskDeadline : DeadlineBase {
public:
    TaskDeadline(TaskState<T>* s, int64_t delay_ns) : DeadlineBase(delay_ns), inner_(s) {}

    bool await_ready() const noexcept { return inner_.await_ready(); }
    template <class P>
    void await_suspend(std::coroutine_handle<P> h) {
        start(task_for(h));
        arm();
        inner_.await_suspend(h);
    }
    T await_resume() {
        return finish([this]() -> T { return inner_.await_resume(); });
    }

private:
    TaskAwaiter<T, Move> inner_;
};

}  // namespace corio::detail
