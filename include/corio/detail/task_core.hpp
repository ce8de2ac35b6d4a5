// The untyped part of a task and the parking protocol every suspending awaiter follows, so that
// cancellation reaches the innermost suspension point. Layer 4; Task<T> adds the result type.
//
// Parking protocol (the one rule all awaiters keep):
//  - An awaiter that suspends a task's coroutine registers its Waiter with park(). If a cancel
//    is already pending, park() calls on_cancel at once instead of leaving it for later.
//  - Whoever wakes the coroutine first takes the Waiter out of task->waiting_on: a normal wake
//    calls Waiter::unpark(), TaskCore::cancel() exchanges it to null before calling on_cancel.
//    So on_cancel runs at most once, and never after a normal wake (no double resume).
//  - on_cancel unregisters whatever the awaiter registered and schedules the coroutine; the
//    awaiter's await_resume then calls take_cancel(), which throws CancelledError once.
#pragma once

#include <coroutine>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>

#include "corio/detail/callback.hpp"
#include "corio/detail/frame_pool.hpp"
#include "corio/detail/intrusive_list.hpp"
#include "corio/detail/resident.hpp"

namespace corio {
class Loop;
}

namespace corio::detail {

class TaskCore;

struct Waiter {
    void (*on_cancel)(Waiter*) = nullptr;
    TaskCore* task = nullptr;
    inline void unpark();
};

// Fields every corio promise carries: who to resume when done, and which task's chain this
// frame belongs to (null when awaited from a coroutine type that is not corio's).
struct PromiseBase {
    std::coroutine_handle<> continuation{};
    TaskCore* task = nullptr;
    std::exception_ptr exception{};
};

template <class P>
TaskCore* task_of(std::coroutine_handle<P> h) {
    if constexpr (std::is_base_of_v<PromiseBase, P>) {
        return h.promise().task;
    } else {
        return nullptr;
    }
}

// Invariants:
//  - refs counts Task handles, the loop's registry entry while pending, and the frame is
//    destroyed exactly once, by the destructor of the concrete TaskState.
//  - state moves Pending -> Finished or Pending -> Cancelled, never back.
//  - waiting_on is non-null only while the task's coroutine chain is suspended in a parked
//    awaiter that has not been woken yet.
class TaskCore : public Resident {
public:
    enum class State : uint8_t { Pending, Finished, Cancelled };

    explicit TaskCore(Loop* loop, std::coroutine_handle<> root, PromiseBase& promise,
                      std::string&& name);
    static void* operator new(size_t n) { return frame_alloc(n); }
    static void operator delete(void* p, size_t n) noexcept { frame_free(p, n); }
    TaskCore(const TaskCore&) = delete;
    TaskCore& operator=(const TaskCore&) = delete;

    void add_ref() noexcept { ++refs_; }
    void release() noexcept {
        if (--refs_ == 0) destroy();
    }

    bool done() const noexcept { return state_ != State::Pending; }
    bool cancelled() const noexcept { return state_ == State::Cancelled; }
    bool cancel();
    std::string name() const;
    void set_name(std::string name);
    Loop* loop() const noexcept { return loop_; }

    // Throws CancelledError once if a cancel is pending: called by awaiters as they resume.
    void take_cancel() {
        if (cancel_requested_) {
            cancel_requested_ = false;
            cancel_woke_ = false;
            throw_cancelled();
        }
    }
    bool cancel_pending() const noexcept { return cancel_requested_; }
    // The cancel just requested went on to the awaited task instead (asyncio hands a cancel to
    // the future a task waits on): that task's ending is now our answer, not a CancelledError of
    // our own. Only a Waiter::on_cancel calls it, from inside cancel().
    void cancel_passed_on() noexcept {
        cancel_requested_ = false;
        cancel_woke_ = false;
    }
    // True while the task is suspended in a parked awaiter that nothing has woken yet: a
    // deadline that expires then may cancel without racing a result already on its way.
    bool parked() const noexcept { return waiting_on_ != nullptr; }
    // asyncio 3.11's cancelling(): cancel() calls made while pending, less uncancel() calls.
    // Lets a timeout or a task group tell its own request from one made by someone else.
    uint32_t cancelling() const noexcept { return cancel_requests_; }
    // asyncio's uncancel(): takes back one request and returns how many are left. At zero a
    // cancel that has not reached any awaiter yet is withdrawn too (as Python 3.13 does), so a
    // timeout or a group that takes back its own request leaves nothing behind to surprise the
    // next await. One that already woke an awaiter stays: that awaiter gave up its wait (its
    // permit, its item, its timer) and must throw.
    uint32_t uncancel() noexcept {
        if (cancel_requests_ > 0 && --cancel_requests_ == 0 && !cancel_woke_) {
            cancel_requested_ = false;
        }
        return cancel_requests_;
    }
    void park(Waiter* w) {
        w->task = this;
        if (cancel_requested_) {
            cancel_woke_ = true;
            w->on_cancel(w);
        } else {
            waiting_on_ = w;
        }
    }

    // The exception the task finished with (null for a value); marks it retrieved.
    std::exception_ptr take_exception() {
        retrieved_ = true;
        if (abandoned_) return abandoned_error();
        return promise_base().exception;
    }

    // Awaiters of this task: intrusive, so awaiting allocates nothing. When the task finishes,
    // finish() unparks `waiter` (if set), then calls on_done (if set) or schedules `handle`.
    // on_done serves combinators watching many tasks (gather, wait, TaskGroup): it runs inside
    // finish(), so it must not run user code or resume anything; it may schedule, count and
    // cancel other tasks. Because cancel() may thus run inside some task's finish(), neither
    // on_done nor any Waiter::on_cancel may unlink an AwaitNode: unlink later, on resumption.
    struct AwaitNode {
        ListHook<AwaitNode> hook;
        std::coroutine_handle<> handle{};
        Waiter* waiter = nullptr;
        void (*on_done)(AwaitNode*) = nullptr;
        bool linked = false;
    };
    void add_awaiter(AwaitNode* n);
    void remove_awaiter(AwaitNode* n);
    void add_done_callback(CallbackNode* cb);

    // Called from the root coroutine's final_suspend, with that coroutine's promise.
    void root_finished(PromiseBase& p);
    // Called by the loop when it closes with this task still pending: destroys the frame
    // chain without resuming it (awaiters unlink themselves on the way) and marks the task
    // cancelled.
    void abandon();

    // CallbackNode: the task's first step, queued by create_task.
    void run() override;
    void drop() override {}

    // Resident: how the loop's registry of pending tasks sees a task.
    bool resident_done() const noexcept override { return done(); }
    void hold_resident() noexcept override { add_ref(); }
    void release_resident() noexcept override { release(); }
    void cancel_resident() override { cancel(); }
    void abandon_resident() override { abandon(); }

protected:
    virtual ~TaskCore();
    // asyncio's "Task exception was never retrieved"; the concrete state calls it from its
    // destructor, while the frame holding the exception still exists.
    void report_unretrieved() noexcept;
    virtual void destroy() noexcept = 0;
    virtual PromiseBase& promise_base() noexcept = 0;  // only while the frame exists
    void destroy_frame() noexcept {
        if (root_) std::exchange(root_, {}).destroy();
    }
    std::coroutine_handle<> root_;  // owned: the frame lives as long as the task

private:
    friend struct Waiter;
    [[noreturn]] static void throw_cancelled();
    static std::exception_ptr abandoned_error();
    void finish(State s);

    // Laid out to keep a task state at 88 bytes: every idle task pays for each field.
    Loop* loop_;
    Waiter* waiting_on_ = nullptr;
    IntrusiveList<AwaitNode, &AwaitNode::hook, false> awaiters_;  // newest first
    CallbackNode* callbacks_ = nullptr;  // done callbacks, linked through CallbackNode::link
    std::unique_ptr<std::string> name_;  // null: the default "Task-<id>" (saves 24 bytes a task)
    uint32_t id_;                        // per-thread counter for default names; wraps
    uint32_t refs_ = 1;                  // the loop's registry entry
    uint16_t cancel_requests_ = 0;       // 16 bits keep the state at 88 bytes
    State state_ = State::Pending;
    bool started_ = false;
    bool cancel_requested_ = false;
    bool cancel_woke_ = false;  // the pending cancel already ended an awaiter's wait
    bool retrieved_ = false;
    bool abandoned_ = false;  // frame destroyed by loop close: no promise any more
};

// co_await CurrentTask{} -> the task running the awaiting coroutine (null outside a corio
// task), without suspending: asyncio's current_task() for code that needs its own task.
struct CurrentTask {
    TaskCore* task = nullptr;
    bool await_ready() const noexcept { return false; }
    template <class P>
    bool await_suspend(std::coroutine_handle<P> h) noexcept {
        task = task_of(h);
        return false;
    }
    TaskCore* await_resume() const noexcept { return task; }
};

inline void Waiter::unpark() {
    if (task && task->waiting_on_ == this) task->waiting_on_ = nullptr;
}

}  // namespace corio::detail
