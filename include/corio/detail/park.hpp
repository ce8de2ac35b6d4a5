// Parking: the one way corio parks a coroutine until something wakes it, cancellable through its
// task (the parking protocol of task_core.hpp); a cancel ends only the wait. ParkCore is that
// mechanism; Park adds an optional deadline. The waits built on them add where the coroutine is
// found by its waker: WaitList (Lock, Event, Semaphore, Condition, Queue) links many ParkCores;
// WaitSet (wait) and CompletionQueue (as_completed) are one Park, WaitQueue links many
// (src/net/wait_queue.hpp), an I/O source holds one per direction (src/net/io_source.hpp).
//
// Invariant: handle_ is set exactly while a coroutine waits and nobody has scheduled it yet (and
// a Park's timer is armed only then). wake(), the deadline and the cancel each schedule it at
// most once, because each first takes handle_. When the deadline or a cancel ends the wait, the
// leave step runs first, so the waiter leaves whatever queue or slot it joined before it resumes.
#pragma once

#include <cassert>
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

// A wait without a deadline. The awaiter calls begin_wait first in await_suspend, joins its
// queue, then park_on<leave>; await_resume calls finish_wait (after cancel_due, when a woken
// waiter must hand back what it was given before the CancelledError).
class ParkCore : protected Waiter {
public:
    ParkCore() = default;
    // Movable only before it is awaited (wait_for, shield, gather and create_task keep the
    // awaiter in a frame of their own first): until then nothing is registered anywhere.
    // Moving one that waits would leave its task, loop and queue pointing at the old place.
    ParkCore(ParkCore&& o) noexcept : Waiter() {
        assert(!o.suspended_ && !o.handle_ && !o.task);
        (void)o;
    }
    ParkCore(const ParkCore&) = delete;
    ParkCore& operator=(const ParkCore&) = delete;

    // By the waker (which has already taken the waiter out of its queue or slot): schedules the
    // waiter if one waits.
    void wake() noexcept {
        if (handle_) wake_waiting();
    }
    // wake() for a waker that knows the coroutine still waits (it was in the waker's queue).
    void wake_waiting() noexcept {
        unpark();
        LoopAccess::schedule(*loop_, std::exchange(handle_, {}));
    }

protected:
    ~ParkCore() {
        if (suspended_) end_wait();  // otherwise nothing is registered (nor worth a store)
    }

    bool waiting() const noexcept { return static_cast<bool>(handle_); }
    // From begin_wait until finish_wait: false in an await_resume that follows await_ready.
    bool suspended() const noexcept { return suspended_; }
    // First step of await_suspend; returns the task to park on (null outside a task).
    template <class P>
    TaskCore* begin_wait(std::coroutine_handle<P> h) {
        handle_ = h;
        suspended_ = true;
        TaskCore* t = task_of(h);
        loop_ = t ? t->loop() : &Loop::current();
        return t;
    }
    // Last step of await_suspend: cancelling t calls Leave, then schedules the waiter. With t
    // null the wait cannot be cancelled, and a cancel stays pending until the next suspension.
    template <void (*Leave)(ParkCore*)>
    void park_on(TaskCore* t) {
        on_cancel = &ParkCore::on_waiter_cancelled<Leave>;
        if (t) t->park(this);
    }
    // In await_resume, before finish_wait: whether finish_wait will throw CancelledError.
    bool cancel_due() const noexcept { return suspended_ && task && task->cancel_pending(); }
    // First step of await_resume (after any give-back): throws CancelledError if the task was
    // cancelled while waiting. Without a suspension (await_ready said yes) there is no
    // cancellation point, and a pending cancel waits for the next one. The task is forgotten:
    // a waiter awaited again (as_completed's) may outlive it, or wait next outside any task.
    void finish_wait() {
        if (!suspended_) return;  // the uncontended path: keep it to one test
        suspended_ = false;
        end_wait();
        if (TaskCore* t = std::exchange(task, nullptr)) t->take_cancel();
    }

    Loop* loop_ = nullptr;

private:
    void end_wait() noexcept {
        handle_ = {};
        unpark();
    }
    template <void (*Leave)(ParkCore*)>
    static void on_waiter_cancelled(Waiter* w) {
        auto* self = static_cast<ParkCore*>(w);
        Leave(self);
        LoopAccess::schedule(*self->loop_, std::exchange(self->handle_, {}));
    }

    std::coroutine_handle<> handle_{};
    bool suspended_ = false;  // since begin_wait, until finish_wait
};
// Every Lock, Semaphore, Event and Queue waiter embeds one: keep it to five words.
static_assert(sizeof(void*) != 8 || sizeof(ParkCore) <= 40);

// A wait with an optional deadline: arm() between begin_wait and park_on. The deadline and a
// cancel run on_leave (if set) before the waiter resumes; timed_out() tells them apart.
// TimerNode comes first so that Park's own fields fill ParkCore's tail padding.
class Park : protected TimerNode, protected ParkCore {
public:
    void wake() noexcept {
        disarm();
        ParkCore::wake();
    }

protected:
    ~Park() { disarm(); }

    // True when the deadline ended the last wait.
    bool timed_out() const noexcept { return timed_out_; }
    template <class P>
    TaskCore* begin_wait(std::coroutine_handle<P> h) {
        timed_out_ = false;
        return ParkCore::begin_wait(h);
    }
    void arm(int64_t deadline_ns) {
        deadline = deadline_ns;
        fire = &Park::on_timeout;
        LoopAccess::add_timer(*loop_, this);
    }
    void park_on(TaskCore* t) { ParkCore::park_on<&Park::leave>(t); }
    // First step of await_resume: stops the timer, then as ParkCore's.
    void finish_wait() {
        disarm();
        ParkCore::finish_wait();
    }

private:
    void disarm() noexcept {
        if (TimerNode::linked()) LoopAccess::cancel_timer(*loop_, this);
    }
    static void leave(ParkCore* p) {
        auto* self = static_cast<Park*>(p);
        self->disarm();
        if (self->on_leave) self->on_leave(self);
    }
    static void on_timeout(TimerNode* t) {
        auto* self = static_cast<Park*>(t);
        self->timed_out_ = true;
        if (self->on_leave) self->on_leave(self);
        self->wake();
    }

    bool timed_out_ = false;  // before on_leave: it fits in ParkCore's tail padding

protected:
    void (*on_leave)(Park*) = nullptr;
};

}  // namespace corio::detail
