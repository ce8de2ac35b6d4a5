// corio::TaskGroup: asyncio.TaskGroup as an object. Layer 4, over detail/all_done.hpp.
//
//   corio::TaskGroup group;
//   auto a = group.create_task(fetch("a"));
//   auto b = group.create_task(fetch("b"));
//   co_await group.wait();   // every child done; rethrows the first failure
//
// When a child fails (ends with an exception other than CancelledError), the others are
// cancelled and no new child is accepted; wait() waits for all of them, then rethrows the first
// failure; errors() keeps every failure in completion order. Cancelling the task awaiting
// wait() cancels every child and throws CancelledError once they are all done. A group
// destroyed with children still running cancels them and says so on stderr (it cannot wait in
// a destructor); always await wait().
//
// Threads: everything here runs on the loop's thread that runs the children.
#pragma once

#include <cstddef>
#include <deque>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "corio/coro.hpp"
#include "corio/detail/all_done.hpp"
#include "corio/error.hpp"
#include "corio/loop.hpp"
#include "corio/task.hpp"

namespace corio {

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
    void check_open() const;
    void adopt(detail::TaskCore* t);

    // Before all_, which unlinks the nodes still pending when it is destroyed.
    std::deque<detail::AllDone::Node> nodes_;  // stable addresses; finished ones are reused
    detail::AllDone all_{{.cancel_on_failure = true,
                          .cancelled_fails = false,
                          .keep_failures = true,
                          .recycle = true}};
    bool waiting_ = false;
    bool finished_ = false;
};

}  // namespace corio
