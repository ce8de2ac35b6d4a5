// Park: the one way corio parks a coroutine until something wakes it, with an optional deadline
// and cancellable through its task (the parking protocol of task_core.hpp). A cancel or the
// deadline ends only the wait. The waits built on it add where the coroutine is found by its
// waker: WaitSet (wait) and CompletionQueue (as_completed) hold one, WaitQueue links many
// (src/net/wait_queue.hpp), an I/O source holds one per direction (src/net/io_source.hpp).
//
// Invariant: handle_ is set exactly while a coroutine waits and nobody has scheduled it yet;
// the timer is armed only then. wake(), the deadline and the cancel each schedule it at most
// once, because each first takes handle_. When the deadline or a cancel ends the wait, on_leave
// (if set) runs first, so the waiter leaves whatever queue or slot it joined before it resumes.
#pragma once

#include <coroutine>
#include <cstdint>
#include <utility>

#include "corio/detail/loop_access.hpp"
#include "corio/detail/task_core.hpp"
#include "corio/detail/timer_node.hpp"
#include "corio/loop.hpp"

namespace corio::detail {

// now + delay, saturating instead of overflowing for huge delays.
inline int64_t deadline_after(int64_t now_ns, int64_t delay_ns) noexcept {
    return delay_ns > INT64_MAX - now_ns ? INT64_MAX : now_ns + delay_ns;
}

class Park : protected Waiter, protected TimerNode {
public:
    Park() = default;
    Park(const Park&) = delete;
    Park& operator=(const Park&) = delete;

    // By the waker (which has already taken the waiter out of its queue or slot): schedules the
    // waiter if one waits.
    void wake() noexcept {
        if (!handle_) return;
        disarm();
        unpark();
        LoopAccess::schedule(*loop_, std::exchange(handle_, {}));
    }

protected:
    ~Park() { end_wait(); }

    bool waiting() const noexcept { return static_cast<bool>(handle_); }
    // True when the deadline ended the last wait.
    bool timed_out() const noexcept { return timed_out_; }
    // First step of await_suspend; returns the task to park on (null outside a task).
    template <class P>
    TaskCore* begin_wait(std::coroutine_handle<P> h) {
        handle_ = h;
        suspended_ = true;
        timed_out_ = false;
        TaskCore* t = task_of(h);
        loop_ = t ? t->loop() : &Loop::current();
        return t;
    }
    void arm(int64_t deadline_ns) {
        deadline = deadline_ns;
        fire = &Park::on_timeout;
        LoopAccess::add_timer(*loop_, this);
    }
    // Last step of await_suspend.
    void park_on(TaskCore* t) {
        on_cancel = &Park::on_waiter_cancelled;
        if (t) t->park(this);
    }
    // First step of await_resume: stops the timer, throws CancelledError if the task was
    // cancelled while waiting. Without a suspension (await_ready said yes) there is no
    // cancellation point, and a pending cancel waits for the next one.
    void finish_wait() {
        end_wait();
        if (std::exchange(suspended_, false) && task) task->take_cancel();
    }

    Loop* loop_ = nullptr;
    void (*on_leave)(Park*) = nullptr;

private:
    void disarm() noexcept {
        if (TimerNode::linked()) LoopAccess::cancel_timer(*loop_, this);
    }
    void end_wait() noexcept {
        handle_ = {};
        disarm();
        unpark();
    }
    static void on_timeout(TimerNode* t) {
        auto* self = static_cast<Park*>(t);
        self->timed_out_ = true;
        if (self->on_leave) self->on_leave(self);
        self->wake();
    }
    static void on_waiter_cancelled(Waiter* w) {
        auto* self = static_cast<Park*>(w);
        self->disarm();
        if (self->on_leave) self->on_leave(self);
        LoopAccess::schedule(*self->loop_, std::exchange(self->handle_, {}));
    }

    std::coroutine_handle<> handle_{};
    bool suspended_ = false;  // since begin_wait, until finish_wait
    bool timed_out_ = false;
};

}  // namespace corio::detail
