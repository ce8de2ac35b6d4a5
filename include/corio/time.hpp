// corio::sleep: asyncio.sleep. Layer 4. The awaiter lives in the caller's frame and embeds its
// timer node, so sleeping allocates nothing; cancelling unlinks the timer at once.
#pragma once

#include <chrono>
#include <coroutine>

#include "corio/clock.hpp"
#include "corio/detail/task_core.hpp"
#include "corio/detail/timer_node.hpp"
#include "corio/loop.hpp"

namespace corio {

namespace detail {

class SleepAwaiter : TimerNode, Waiter {
public:
    // The delay waits in `deadline` until await_suspend turns it into a deadline: a sleeping
    // frame carries no field it does not need.
    explicit SleepAwaiter(int64_t delay_ns) { deadline = delay_ns; }
    SleepAwaiter(const SleepAwaiter&) = delete;
    SleepAwaiter& operator=(const SleepAwaiter&) = delete;
    ~SleepAwaiter() {
        if (TimerNode::linked()) loop_->cancel_timer(this);
        unpark();
    }

    bool await_ready() const noexcept { return false; }
    template <class P>
    void await_suspend(std::coroutine_handle<P> h) {
        handle_ = h;
        loop_ = &Loop::current();
        if (deadline <= 0) {
            // sleep(0) yields once: to the back of the ready queue.
            on_cancel = [](Waiter*) {};
            loop_->schedule(h);
        } else {
            deadline += loop_->now_ns();
            fire = [](TimerNode* n) {
                auto* self = static_cast<SleepAwaiter*>(n);
                self->unpark();
                self->loop_->schedule(self->handle_);
            };
            on_cancel = [](Waiter* w) {
                auto* self = static_cast<SleepAwaiter*>(w);
                self->loop_->cancel_timer(self);
                self->loop_->schedule(self->handle_);
            };
            loop_->add_timer(this);
        }
        if (TaskCore* t = task_of(h)) t->park(this);
    }
    void await_resume() {
        unpark();
        if (task) task->take_cancel();
    }

private:
    Loop* loop_ = nullptr;
    std::coroutine_handle<> handle_;
};

}  // namespace detail

// Suspends the calling coroutine for at least d (any std::chrono::duration; negative counts as
// zero). sleep(0s) yields to the loop once. Cancellable: the timer is freed at once.
template <class Rep, class Period>
detail::SleepAwaiter sleep(std::chrono::duration<Rep, Period> d) {
    return detail::SleepAwaiter(detail::to_ns(d).count());
}

}  // namespace corio
