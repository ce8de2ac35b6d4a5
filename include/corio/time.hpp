// corio::sleep: asyncio.sleep. Layer 4. The awaiter lives in the caller's frame and embeds its
// timer node, so sleeping allocates nothing; cancelling unlinks the timer at once.
//
// Threads: awaited on a loop's thread.
#pragma once

#include <cassert>
#include <chrono>
#include <coroutine>

#include "corio/clock.hpp"
#include "corio/detail/loop_access.hpp"
#include "corio/detail/task_core.hpp"
#include "corio/detail/timer_node.hpp"
#include "corio/loop.hpp"

namespace corio {

namespace detail {

// Sleeping costs a frame 64 bytes: the timer node, the parking hook and the handle. The loop is
// found through the task (or, outside any task, as the running loop), not stored.
class SleepAwaiter : TimerNode, Waiter {
public:
    // The delay waits in `deadline` until await_suspend turns it into a deadline.
    explicit SleepAwaiter(int64_t delay_ns) { deadline = delay_ns; }
    // Movable only before it is awaited (what wait_for, shield and gather do when they keep it
    // in a frame of their own): until then it carries nothing but its delay.
    SleepAwaiter(SleepAwaiter&& o) noexcept : TimerNode(), Waiter() {
        assert(!o.TimerNode::linked() && !o.task);
        deadline = o.deadline;
    }
    SleepAwaiter(const SleepAwaiter&) = delete;
    SleepAwaiter& operator=(const SleepAwaiter&) = delete;
    ~SleepAwaiter() {
        // Still armed only when the frame is destroyed mid-sleep (a loop closing).
        if (TimerNode::linked()) {
            if (Loop* loop = task ? task->loop() : Loop::running())
                detail::LoopAccess::cancel_timer(*loop, this);
        }
        unpark();
    }

    bool await_ready() const noexcept { return false; }
    template <class P>
    void await_suspend(std::coroutine_handle<P> h) {
        handle_ = h;
        TaskCore* t = task_of(h);
        Loop& loop = t ? *t->loop() : Loop::current();
        if (deadline <= 0) {
            // sleep(0) yields once: to the back of the ready queue.
            on_cancel = [](Waiter*) {};
            detail::LoopAccess::schedule(loop, h);
        } else {
            deadline += detail::LoopAccess::now_ns(loop);
            fire = [](TimerNode* n) {
                auto* self = static_cast<SleepAwaiter*>(n);
                self->unpark();
                // Timers fire inside the loop's poll phase, so the running loop is theirs.
                detail::LoopAccess::schedule(*Loop::running(), self->handle_);
            };
            on_cancel = [](Waiter* w) {
                auto* self = static_cast<SleepAwaiter*>(w);
                Loop* loop = self->task->loop();
                detail::LoopAccess::cancel_timer(*loop, self);
                detail::LoopAccess::schedule(*loop, self->handle_);
            };
            detail::LoopAccess::add_timer(loop, this);
        }
        if (t) t->park(this);
    }
    void await_resume() {
        unpark();
        if (task) task->take_cancel();
    }

private:
    std::coroutine_handle<> handle_;
};

}  // namespace detail

// Suspends the calling coroutine for at least d (any std::chrono::duration; negative counts as
// zero). sleep(0s) yields to the loop once. Cancellable: the timer is freed at once.
// Awaiting throws CancelledError when the task is cancelled, corio::Error outside a task when
// no loop runs on this thread.
template <class Rep, class Period>
detail::SleepAwaiter sleep(std::chrono::duration<Rep, Period> d) {
    return detail::SleepAwaiter(detail::to_ns(d).count());
}

}  // namespace corio
