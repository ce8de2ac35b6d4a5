// corio::wait: asyncio.wait. Layer 4, over detail/wait_set.hpp.
//
//   auto [done, pending] = co_await corio::wait(tasks, {.timeout = 1500ms,
//                                                        .return_when = ReturnWhen::AllCompleted});
//
// Returns when the condition holds or the timeout passes, whichever is first, and cancels
// nothing: pending tasks run on and can be awaited later. done and pending keep the order of
// the input. An empty list returns at once; tasks already done count as done.
//
// Threads: awaited on the loop's thread the tasks belong to.
#pragma once

#include <cstddef>
#include <vector>

#include "corio/coro.hpp"
#include "corio/detail/optional_duration.hpp"
#include "corio/detail/wait_set.hpp"
#include "corio/task.hpp"

namespace corio {

struct WaitOptions {
    detail::OptionalDuration timeout{};  // none: no limit
    ReturnWhen return_when = ReturnWhen::AllCompleted;
};

template <class T>
struct WaitResult {
    std::vector<Task<T>> done;
    std::vector<Task<T>> pending;
};

// Throws InvalidStateError for an empty Task in the list, CancelledError when the awaiting
// task is cancelled; never TimeoutError (a timeout just returns), never what the tasks threw.
template <class T>
Coro<WaitResult<T>> wait(std::vector<Task<T>> tasks, WaitOptions options = {}) {
    for (const Task<T>& t : tasks) {
        if (!t.valid()) throw InvalidStateError("wait on an empty Task");
    }
    std::vector<detail::WaitSet::Node> nodes(tasks.size());
    detail::WaitSet set(options.return_when, options.timeout, nodes.data(), nodes.size());
    for (size_t i = 0; i < tasks.size(); ++i) set.watch(i, tasks[i].state_ptr());
    co_await set;
    WaitResult<T> r;
    for (Task<T>& t : tasks) (t.done() ? r.done : r.pending).push_back(std::move(t));
    co_return r;
}

}  // namespace corio
