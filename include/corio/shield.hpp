// corio::shield: asyncio.shield. Layer 4. co_await shield(task) waits for the task like
// co_await task, except that cancelling the awaiting task does not cancel the shielded one:
// the awaiter gets CancelledError at once and the task runs on, still awaitable later.
// shield(coro) and shield(any other awaitable) first make it a task, at the call, as asyncio's
// ensure_future does; that task runs to its end even if the shield is never awaited.
//
// Threads: awaited on the task's loop thread.
#pragma once

#include <coroutine>
#include <exception>
#include <type_traits>
#include <utility>

#include "corio/coro.hpp"
#include "corio/detail/loop_access.hpp"
#include "corio/detail/task_core.hpp"
#include "corio/error.hpp"
#include "corio/task.hpp"

namespace corio {

namespace detail {

// Awaits like co_await task (copying a copyable result, so the task stays awaitable), but a
// cancel of the awaiting task only stops the waiting.
template <class T>
class ShieldAwaiter : public TaskAwaiter<T, !std::is_copy_constructible_v<T>> {
    using Base = TaskAwaiter<T, !std::is_copy_constructible_v<T>>;

public:
    explicit ShieldAwaiter(TaskState<T>* s) noexcept : Base(s, &ShieldAwaiter::leave) {}

private:
    // Stop waiting without touching the task. The node may not be unlinked here (see
    // TaskCore::AwaitNode), so it is made inert; await_resume unlinks it.
    static void leave(Waiter* w) {
        auto* self = static_cast<ShieldAwaiter*>(w);
        self->node_.on_done = [](TaskCore::AwaitNode*) {};
        LoopAccess::schedule(*self->task->loop(), self->node_.handle);
    }
};

}  // namespace detail

// Returns the task's value or rethrows its exception; throws InvalidStateError for an empty
// Task, CancelledError when the awaiting task is cancelled.
template <class T>
Coro<T> shield(Task<T> task) {
    if (!task.valid()) throw InvalidStateError("shield of an empty Task");
    detail::ShieldAwaiter<T> shielded(task.state_ptr());
    co_return co_await shielded;
}
// Throws what create_task throws (no running loop), then as above.
template <class A>
requires(!detail::is_task<std::remove_cvref_t<A>>::value) auto shield(A&& awaitable) {
    return shield(create_task(std::forward<A>(awaitable)));
}

}  // namespace corio
