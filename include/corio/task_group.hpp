// corio::TaskGroup: asyncio.TaskGroup, as a scope (task_group) or as an object. Layer 4, over
// detail/all_done.hpp.
//
//   co_await corio::task_group([&](corio::TaskGroup& g) -> corio::Coro<void> {
//       g.create_task(fetch("a"));
//       g.create_task(fetch("b"));
//       co_await other_work();   // interrupted (CancelledError) if a child fails meanwhile
//   });                          // every child done; rethrows the first failure
//
//   corio::TaskGroup group;      // the object form
//   auto a = group.create_task(fetch("a"));
//   co_await group.wait();       // every child done; rethrows the first failure
//
// When a child fails (ends with an exception other than CancelledError), the others are
// cancelled and no new child is accepted; the end of the group (the end of task_group's body,
// or wait()) waits for all of them, then rethrows the first failure and reports the others
// through the loop's reporter; errors() keeps every failure in completion order. As in asyncio
// 3.11, the failure also cancels the task that owns the group at its next suspension point,
// wherever it is (task_group's body; the object form's owner is the task awaiting wait(), so
// there it only ends the wait); the group's end swallows that CancelledError, throws the
// child's exception instead and takes the cancel back (Task::uncancel), so the owner's
// cancelling() count is as before. A cancel from elsewhere still surfaces as CancelledError
// once every child is done (if no child failed). An exception from task_group's body cancels
// the children too, and is rethrown after them unless a child failed. A group destroyed with
// children still running cancels them and says so on stderr (it cannot wait in a destructor);
// always await wait().
//
// g++ 12: a lambda with non-trivial captures written inside the co_await is destroyed twice:
// capture by reference, as above, or name the lambda first.
//
// Threads: everything here runs on the loop's thread that runs the children.
#pragma once

#include <cstddef>
#include <deque>
#include <exception>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "corio/coro.hpp"
#include "corio/detail/all_done.hpp"
#include "corio/detail/awaitable.hpp"
#include "corio/error.hpp"
#include "corio/loop.hpp"
#include "corio/task.hpp"

namespace corio {

class TaskGroup;
namespace detail {
struct TaskGroupAccess;
}

class TaskGroup {
public:
    TaskGroup() = default;
    TaskGroup(const TaskGroup&) = delete;
    TaskGroup& operator=(const TaskGroup&) = delete;
    ~TaskGroup();

    // Schedules coro as a child on the running loop. InvalidStateError once a child failed
    // or wait() finished, and Loop::current() and Loop::create_task's errors.
    template <class T>
    Task<T> create_task(Coro<T> coro, std::string name = {}) {
        check_open();
        Task<T> t = Loop::current().create_task(std::move(coro), std::move(name));
        adopt(t.state_ptr());
        return t;
    }
    // Any other awaitable, run by a child task of its own (detail/awaitable.hpp).
    template <class A>
    requires(!detail::is_coro<std::remove_cvref_t<A>>::value) auto create_task(
        A&& awaitable, std::string name = {}) {
        static_assert(!detail::is_task<std::remove_cvref_t<A>>::value,
                      "corio::TaskGroup::create_task of a Task: it already runs outside the group");
        if constexpr (detail::check_awaitable<A>()) {
            return create_task(detail::as_coro(std::forward<A>(awaitable)), std::move(name));
        }
    }

    // Waits until every child is done (children may add children meanwhile), then rethrows
    // the first failure, if any. Awaited once: a second await throws InvalidStateError.
    // CancelledError when the awaiting task is cancelled.
    Coro<void> wait();
    // Cancels every child still running (as a failure would).
    void cancel() noexcept { all_.cancel_pending(); }

    // Children not done yet; whether one failed; every failure so far. Never throw.
    size_t running() const noexcept { return all_.remaining(); }
    bool failed() const noexcept { return all_.failed(); }
    const std::vector<std::exception_ptr>& errors() const noexcept { return all_.failures(); }

private:
    friend struct detail::TaskGroupAccess;
    void check_open() const;
    void adopt(detail::TaskCore* t);
    // The group's end: waits for the children, settles the owner's cancel, throws (see top).
    // body_error: what task_group's body threw, or null.
    Coro<void> end(std::exception_ptr body_error);
    void bind_owner(detail::TaskCore* t) noexcept;
    void report_other_failures() const noexcept;

    // Before all_, which unlinks the nodes still pending when it is destroyed.
    std::deque<detail::AllDone::Node> nodes_;  // stable addresses; finished ones are reused
    detail::AllDone all_{{.cancel_on_failure = true,
                          .cancelled_fails = false,
                          .keep_failures = true,
                          .recycle = true}};
    detail::TaskCore* owner_ = nullptr;  // cancelled at a child's failure while not waiting
    bool waiting_ = false;
    bool finished_ = false;
};

namespace detail {
struct TaskGroupAccess {
    static void bind_owner(TaskGroup& g, TaskCore* t) noexcept { g.bind_owner(t); }
    static Coro<void> end(TaskGroup& g, std::exception_ptr e) { return g.end(std::move(e)); }
};

template <class F>
using group_body_result_t = await_result_t<std::invoke_result_t<F&, TaskGroup&>>;
}  // namespace detail

// asyncio's `async with TaskGroup() as g:` — runs body(g) inline in the awaiting task, which
// owns the group, then waits for the children; returns the body's result. Throws as described
// at the top of this file.
template <class F>
Coro<detail::group_body_result_t<F>> task_group(F body) {
    using R = detail::group_body_result_t<F>;
    TaskGroup group;
    detail::CurrentTask current;
    detail::TaskGroupAccess::bind_owner(group, co_await current);
    std::exception_ptr body_error;
    [[maybe_unused]] std::conditional_t<std::is_void_v<R>, bool, std::optional<R>> result{};
    try {
        if constexpr (std::is_void_v<R>) {
            co_await body(group);
        } else {
            result.emplace(co_await body(group));
        }
    } catch (...) {
        body_error = std::current_exception();
    }
    co_await detail::TaskGroupAccess::end(group, body_error);
    if constexpr (!std::is_void_v<R>) co_return std::move(*result);
}

}  // namespace corio
