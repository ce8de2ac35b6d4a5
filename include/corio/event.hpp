// corio::Event: asyncio.Event. Layer 4, over the wait list of detail/wait_list.hpp.
// set() wakes every waiter at once; a waiter once woken returns even if clear() follows before
// it resumes (as in asyncio), unless its own task was cancelled in between.
//
// Threads: everything here runs on the thread of the one loop that uses the event; from another
// thread, call set() through Loop::call_soon_threadsafe. Nothing throws but awaiting wait(),
// which throws CancelledError when the awaiting task is cancelled.
#pragma once

#include <coroutine>

#include "corio/detail/wait_list.hpp"

namespace corio {

class Event {
public:
    class WaitAwaiter : detail::WaitNode {
    public:
        explicit WaitAwaiter(Event* e) noexcept : ev_(e) {}
        bool await_ready() const noexcept { return ev_->set_; }
        template <class P>
        void await_suspend(std::coroutine_handle<P> h) {
            suspend_in(ev_->waiters_, h);
        }
        // A wake-up is not consumed by whoever gets it, so a cancelled waiter has nothing to
        // hand back: the others were woken by the same set().
        void await_resume() {
            take_woken();
            finish_wait();
        }

    private:
        Event* ev_;
    };

    Event() noexcept = default;
    Event(const Event&) = delete;
    Event& operator=(const Event&) = delete;

    void set() noexcept {
        set_ = true;
        waiters_.wake_all();
    }
    void clear() noexcept { set_ = false; }
    bool is_set() const noexcept { return set_; }
    // co_await ev.wait(): returns at once when set, else when set() is next called.
    [[nodiscard]] WaitAwaiter wait() noexcept { return WaitAwaiter(this); }

private:
    detail::WaitList waiters_;
    bool set_ = false;
};

}  // namespace corio
