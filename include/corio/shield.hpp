// corio::shield: asyncio.shield. Layer 4. co_await shield(task) waits for the task like
// co_await task, except that cancelling the awaiting task does not cancel the shielded one:
// the awaiter gets CancelledError at once and the task runs on, still awaitable later.
#pragma once

#include <coroutine>
#include <exception>
#include <type_traits>
#include <utility>

#include "corio/coro.hpp"
#include "corio/detail/task_core.hpp"
#include "corio/error.hpp"
#include "corio/task.hpp"

namespace corio {

namespace detail {

template <class T>
class ShieldAwaiter : Waiter {
public:
    explicit ShieldAwaiter(TaskState<T>* s) noexcept : s_(s) {}
    ShieldAwaiter(const ShieldAwaiter&) = delete;
    ~ShieldAwaiter() {
        if (node_.linked) s_->remove_awaiter(&node_);
        unpark();
    }

    bool await_ready() const noexcept { return s_->done(); }
    template <class P>
    void await_suspend(std::coroutine_handle<P> h) {
        node_.handle = h;
        node_.waiter = this;
        s_->add_awaiter(&node_);
        on_cancel = &ShieldAwaiter::leave;
        if (TaskCore* me = task_of(h)) me->park(this);
    }
    T await_resume() {
        unpark();
        if (node_.linked) s_->remove_awaiter(&node_);
        if (task) task->take_cancel();
        if (std::exception_ptr e = s_->take_exception()) std::rethrow_exception(e);
        if constexpr (std::is_copy_constructible_v<T>) {
            return *s_->promise().value;
        } else if constexpr (!std::is_void_v<T>) {
            return std::move(*s_->promise().value);
        }
    }

private:
    // Stop waiting without touching the task. The node may not be unlinked here (see
    // TaskCore::AwaitNode), so it is made inert and unlinked in await_resume.
    static void leave(Waiter* w) {
        auto* self = static_cast<ShieldAwaiter*>(w);
        self->node_.on_done = [](TaskCore::AwaitNode*) {};
        self->task->loop()->schedule(self->node_.handle);
    }

    TaskState<T>* s_;
    TaskCore::AwaitNode node_;
};

}  // namespace detail

template <class T>
Coro<T> shield(Task<T> task) {
    if (!task.valid()) throw InvalidStateError("shield of an empty Task");
    detail::ShieldAwaiter<T> shielded(task.state_ptr());
    co_return co_await shielded;
}

}  // namespace corio
