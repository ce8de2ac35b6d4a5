// TimedWait: one coroutine parked until a callback wakes it or an optional deadline passes,
// where cancelling its task stops only the wait. Layer 4 plumbing shared by WaitSet (wait) and
// CompletionQueue (as_completed), which decide when to call wake().
//
// Invariant: handle_ is set exactly while a coroutine waits and nobody has scheduled it yet;
// the timer is armed only then. wake(), the timeout and the cancel each schedule it at most
// once, because each first takes handle_.
#pragma once

#include <coroutine>
#include <cstdint>
#include <utility>

#include "corio/detail/task_core.hpp"
#include "corio/detail/timer_node.hpp"
#include "corio/loop.hpp"

namespace corio::detail {

// now + delay, saturating instead of overflowing for huge delays.
inline int64_t deadline_after(int64_t now_ns, int64_t delay_ns) noexcept {
    return delay_ns > INT64_MAX - now_ns ? INT64_MAX : now_ns + delay_ns;
}

class TimedWait : protected Waiter, protected TimerNode {
public:
    TimedWait() = default;
    TimedWait(const TimedWait&) = delete;
    TimedWait& operator=(const TimedWait&) = delete;

protected:
    ~TimedWait() { end_wait(); }

    bool waiting() const noexcept { return static_cast<bool>(handle_); }
    // First step of await_suspend; returns the task to park on (null outside a task).
    template <class P>
    TaskCore* begin_wait(std::coroutine_handle<P> h) {
        handle_ = h;
        suspended_ = true;
        TaskCore* t = task_of(h);
        loop_ = t ? t->loop() : &Loop::current();
        return t;
    }
    void arm(int64_t deadline_ns) {
        deadline = deadline_ns;
        fire = &TimedWait::on_timeout;
        loop_->add_timer(this);
    }
    // Last step of await_suspend.
    void park_on(TaskCore* t) {
        on_cancel = &TimedWait::on_waiter_cancelled;
        if (t) t->park(this);
    }
    // Schedules the waiter if one waits.
    void wake() noexcept {
        if (!handle_) return;
        disarm();
        unpark();
        loop_->schedule(std::exchange(handle_, {}));
    }
    // First step of await_resume: stops the timer, throws CancelledError if the task was
    // cancelled while waiting. Without a suspension (await_ready said yes) there is no
    // cancellation point, and a pending cancel waits for the next one.
    void finish_wait() {
        end_wait();
        if (std::exchange(suspended_, false) && task) task->take_cancel();
    }

    Loop* loop_ = nullptr;

private:
    void disarm() noexcept {
        if (TimerNode::linked()) loop_->cancel_timer(this);
    }
    void end_wait() noexcept {
        handle_ = {};
        disarm();
        unpark();
    }
    static void on_timeout(TimerNode* t) { static_cast<TimedWait*>(t)->wake(); }
    static void on_waiter_cancelled(Waiter* w) {
        auto* self = static_cast<TimedWait*>(w);
        self->disarm();
        self->loop_->schedule(std::exchange(self->handle_, {}));
    }

    std::coroutine_handle<> handle_{};
    bool suspended_ = false;  // since begin_wait, until finish_wait
};

}  // namespace corio::detail
