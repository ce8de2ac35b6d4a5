// Task<T>: a Coro scheduled on the loop (asyncio.Task), and create_task / ensure_future.
// Layer 4. A Task is a cheap copyable handle, like a Python reference: copies refer to one task,
// whose state lives until the last handle and the loop have let go of it.
//
// Threads: everything here runs on the thread of the task's loop. Throws: every member that
// touches the task throws InvalidStateError on an empty (default-made or moved-from) handle.
#pragma once

#include <coroutine>
#include <exception>
#include <string>
#include <type_traits>
#include <utility>

#include "corio/coro.hpp"
#include "corio/detail/awaitable.hpp"
#include "corio/detail/task_core.hpp"
#include "corio/error.hpp"
#include "corio/loop.hpp"

namespace corio {

template <class T>
class Task;

namespace detail {

// The one allocation a task adds to its coroutine frame. The frame itself is owned by the core
// (root_), so the result stays readable after the coroutine finished.
template <class T>
class TaskState final : public TaskCore {
public:
    TaskState(Loop* loop, Coro<T>& coro, std::string&& name)
        : TaskCore(loop, coro.handle(), coro.handle().promise(), std::move(name)) {
        coro.release();
    }

    CoroPromise<T>& promise() {
        return std::coroutine_handle<CoroPromise<T>>::from_address(root_.address()).promise();
    }

private:
    ~TaskState() override { report_unretrieved(); }
    void destroy() noexcept override { delete this; }
    PromiseBase& promise_base() noexcept override { return promise(); }
};

// Awaiting a task from inside another task: park on our own task so cancelling us cancels
// the awaited task instead (asyncio), and wait in its awaiter list for it to finish. The cancel
// is then delivered once, by the awaited task: if it catches it and returns a value or throws
// something else, that is what we get. shield.hpp passes another on_cancel, which stops the
// waiting and leaves the task alone.
template <class T, bool Move>
class TaskAwaiter : protected Waiter {
public:
    explicit TaskAwaiter(TaskState<T>* s, void (*cancel)(Waiter*) = &cancel_awaited) : s_(s) {
        on_cancel = cancel;
    }
    TaskAwaiter(const TaskAwaiter&) = delete;
    ~TaskAwaiter() {
        if (node_.linked) s_->remove_awaiter(&node_);
        unpark();
    }

    bool await_ready() const noexcept { return s_->done(); }
    template <class P>
    void await_suspend(std::coroutine_handle<P> h) {
        node_.handle = h;
        node_.waiter = this;  // unparked as soon as the task finishes, before we resume
        s_->add_awaiter(&node_);
        if (TaskCore* me = task_of(h)) me->park(this);
    }
    T await_resume() {
        unpark();
        // Still linked only when an on_cancel stopped the waiting (it may not unlink itself).
        if (node_.linked) s_->remove_awaiter(&node_);
        if (task) task->take_cancel();
        if constexpr (Move) {
            return take_result();
        } else {
            return copy_result();
        }
    }

protected:
    static void cancel_awaited(Waiter* w) {
        // A task already done (its wake-up on the way) refuses: then the cancel stays ours.
        if (static_cast<TaskAwaiter*>(w)->s_->cancel()) w->task->cancel_passed_on();
    }
    T take_result() {
        if (std::exception_ptr e = s_->take_exception()) std::rethrow_exception(e);
        if constexpr (!std::is_void_v<T>) return std::move(*s_->promise().value);
    }
    T copy_result() {
        if (std::exception_ptr e = s_->take_exception()) std::rethrow_exception(e);
        if constexpr (!std::is_void_v<T>) return *s_->promise().value;
    }
    TaskState<T>* s_;
    TaskCore::AwaitNode node_;
};

}  // namespace detail

template <class T = void>
class Task {
public:
    using value_type = T;

    // An empty handle. Copying and moving never throw.
    Task() noexcept = default;
    Task(const Task& o) noexcept : s_(o.s_) {
        if (s_) s_->add_ref();
    }
    Task(Task&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
    Task& operator=(Task o) noexcept {
        std::swap(s_, o.s_);
        return *this;
    }
    ~Task() {
        if (s_) s_->release();
    }

    // False for an empty handle. Never throw.
    bool valid() const noexcept { return s_ != nullptr; }
    explicit operator bool() const noexcept { return valid(); }
    bool operator==(const Task& o) const noexcept { return s_ == o.s_; }

    // Requests cancellation: CancelledError is thrown at the task's innermost suspension
    // point. False when the task is already done. done(), cancelled(), name(), set_name():
    // asyncio's; all of these throw only for an empty handle.
    bool cancel() { return state().cancel(); }
    bool done() const { return state().done(); }
    bool cancelled() const { return state().cancelled(); }
    std::string name() const { return state().name(); }
    void set_name(std::string n) { state().set_name(std::move(n)); }
    // asyncio 3.11's: cancel requests made while pending and not taken back; uncancel() takes
    // one back and returns how many are left (at zero a cancel not delivered yet is dropped).
    // For code that cancels its own task and must tell its request from others' (a timeout,
    // a task group).
    uint32_t cancelling() const { return state().cancelling(); }
    uint32_t uncancel() { return state().uncancel(); }

    // The value (a copy); rethrows the task's exception, CancelledError if it was cancelled,
    // InvalidStateError before it is done.
    T result() const {
        check_done();
        if (std::exception_ptr e = s_->take_exception()) std::rethrow_exception(e);
        if constexpr (!std::is_void_v<T>) return *s_->promise().value;
    }
    // The exception the task raised (null if it returned a value); throws CancelledError if
    // cancelled, InvalidStateError before it is done.
    std::exception_ptr exception() const {
        check_done();
        std::exception_ptr e = s_->take_exception();
        if (s_->cancelled()) std::rethrow_exception(e);
        return e;
    }
    // f() or f(Task<T>), run on the loop soon after the task is done (at once scheduled if it
    // already is). What f throws is reported, not propagated.
    template <class F>
    void add_done_callback(F f) {
        Task self = *this;
        auto call = [f = std::move(f), self]() mutable {
            if constexpr (std::is_invocable_v<F&, Task<T>&>) {
                f(self);
            } else {
                f();
            }
        };
        state().add_done_callback(new detail::OwnedCallback<decltype(call)>(std::move(call)));
    }

    // Waits for the task: returns its value (copied from an lvalue, moved from an rvalue) or
    // rethrows its exception; cancelling the awaiting task cancels this one too.
    auto operator co_await() const& { return detail::TaskAwaiter<T, false>(&state()); }
    auto operator co_await() && { return detail::TaskAwaiter<T, true>(&state()); }

    // Internal: adopt a freshly created state (its initial reference).
    static Task adopt(detail::TaskState<T>* s) noexcept {
        Task t;
        t.s_ = s;
        return t;
    }
    detail::TaskState<T>* state_ptr() const noexcept { return s_; }

private:
    detail::TaskState<T>& state() const {
        if (!s_) throw InvalidStateError("empty Task handle");
        return *s_;
    }
    void check_done() const {
        if (!state().done()) throw InvalidStateError("Result is not set: the task is not done");
    }
    detail::TaskState<T>* s_ = nullptr;
};

template <class T>
Task<T> Loop::create_task(Coro<T> coro, std::string name) {
    if (closed_) throw Error("create_task on a closed loop");
    if (!coro.valid()) throw InvalidStateError("create_task of an empty Coro");
    auto* s = new detail::TaskState<T>(this, coro, std::move(name));
    s->add_ref();  // the handle we return; the initial reference is the loop's registry entry
    register_resident(s);
    schedule(s);
    return Task<T>::adopt(s);
}

template <class T>
T Loop::run_until_complete(Task<T> task) {
    run_until_done(task.state_ptr());
    if constexpr (std::is_void_v<T> || std::is_copy_constructible_v<T>) {
        return task.result();
    } else {
        // A move-only result (a Stream, a Server) can only be moved out, as co_await does.
        return detail::TaskAwaiter<T, true>(task.state_ptr()).await_resume();
    }
}

template <class T>
T Loop::run_until_complete(Coro<T> coro) {
    Task<T> task = create_task(std::move(coro));
    run_until_done(task.state_ptr());
    // Nobody else holds this task: move the result out rather than copy it.
    return detail::TaskAwaiter<T, true>(task.state_ptr()).await_resume();
}

// asyncio.create_task: schedules on the running loop. Throws corio::Error when no loop runs on
// this thread, and Loop::create_task's errors.
template <class T>
Task<T> create_task(Coro<T> coro, std::string name = {}) {
    return Loop::current().create_task(std::move(coro), std::move(name));
}
// Any other awaitable (a stream read, a condition wait): run by a task of its own, which owns
// it. A Task is refused at compile time: it is already scheduled (ensure_future returns it).
template <class A>
requires(!detail::is_coro<std::remove_cvref_t<A>>::value) auto create_task(A&& awaitable,
                                                                           std::string name = {}) {
    static_assert(!detail::is_task<std::remove_cvref_t<A>>::value,
                  "corio::create_task of a Task: it already runs (ensure_future returns it)");
    if constexpr (detail::check_awaitable<A>()) {
        return create_task(detail::as_coro(std::forward<A>(awaitable)), std::move(name));
    }
}

// create_task for a Coro or another awaitable (same errors); a Task is returned as is (never
// throws).
template <class T>
Task<T> ensure_future(Task<T> task) {
    return task;
}
template <class A>
requires(!detail::is_task<std::remove_cvref_t<A>>::value) auto ensure_future(A&& awaitable) {
    return create_task(std::forward<A>(awaitable));
}

}  // namespace corio
