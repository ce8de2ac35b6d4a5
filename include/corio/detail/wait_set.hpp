// WaitSet: waits until some condition holds over a set of tasks (all done, one done, one
// failed) or a timeout passes, cancelling nothing. Layer 4 plumbing for corio::wait.
//
// Nodes stay linked on their tasks until the waiter resumes (or the set is destroyed): the
// callbacks that wake it run inside a task's finish(), where unlinking is not allowed (see
// TaskCore::AwaitNode). Completions after the wake-up are only counted.
#pragma once

#include <coroutine>
#include <cstddef>
#include <cstdint>

#include "corio/detail/loop_access.hpp"
#include "corio/detail/optional_duration.hpp"
#include "corio/detail/park.hpp"
#include "corio/detail/task_core.hpp"

namespace corio {

// When corio::wait returns (asyncio's FIRST_COMPLETED and friends).
enum class ReturnWhen : uint8_t { AllCompleted, FirstCompleted, FirstException };

namespace detail {

class WaitSet : Park {
public:
    struct Node : TaskCore::AwaitNode {
        WaitSet* owner = nullptr;
        TaskCore* watched = nullptr;
    };

    WaitSet(ReturnWhen when, OptionalDuration timeout, Node* nodes, size_t n) noexcept
        : nodes_(nodes), total_(n), timeout_(timeout), when_(when) {}
    ~WaitSet() { unlink_all(); }

    // Watches t through nodes[i]; call once per node before awaiting.
    void watch(size_t i, TaskCore* t);

    bool await_ready() const noexcept { return satisfied(); }
    template <class P>
    void await_suspend(std::coroutine_handle<P> h) {
        TaskCore* t = begin_wait(h);
        if (timeout_) arm(deadline_after(detail::LoopAccess::now_ns(*loop_), timeout_.ns()));
        park_on(t);
    }
    // Unlinks every node; throws CancelledError if the waiting task was cancelled.
    void await_resume() {
        unlink_all();
        finish_wait();
    }

private:
    bool satisfied() const noexcept;
    void unlink_all() noexcept;
    static void on_child_done(TaskCore::AwaitNode* a);

    Node* nodes_;
    size_t total_;
    size_t done_ = 0;
    OptionalDuration timeout_;
    ReturnWhen when_;
    bool failed_ = false;  // some task ended with an exception (not a cancel)
};

}  // namespace detail
}  // namespace corio
