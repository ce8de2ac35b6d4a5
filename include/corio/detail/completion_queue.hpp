// CompletionQueue: records tasks in the order they finish and hands them out one at a time,
// with an optional overall deadline. Layer 4 plumbing for corio::as_completed.
//
// Invariants: order_[0, written_) are indices of finished tasks in completion order (those
// already done when watched first, in input order); read_ <= written_ <= total; at most one
// coroutine waits, and the timer is armed only while it does. Nodes are unlinked on
// destruction, never from a callback (see TaskCore::AwaitNode).
#pragma once

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "corio/detail/optional_duration.hpp"
#include "corio/detail/park.hpp"
#include "corio/detail/task_core.hpp"
#include "corio/error.hpp"

namespace corio::detail {

class CompletionQueue : Park {
public:
    // With a timeout, needs the running loop: the deadline counts from now.
    CompletionQueue(const std::vector<TaskCore*>& tasks, OptionalDuration timeout);
    ~CompletionQueue();

    // The awaiter protocol behind AsCompleted::next().
    bool ready() const;
    template <class P>
    void suspend(std::coroutine_handle<P> h) {
        if (waiting()) throw InvalidStateError("as_completed: next() is already being awaited");
        TaskCore* t = begin_wait(h);
        if (has_deadline_) arm(deadline_);
        park_on(t);
    }
    // Index of the next finished task, or -1 when every task was handed out. Throws
    // TimeoutError past the deadline, CancelledError if the waiting task was cancelled.
    int64_t resume();

    size_t remaining() const noexcept { return total_ - read_; }

private:
    struct Node : TaskCore::AwaitNode {
        CompletionQueue* owner = nullptr;
        TaskCore* watched = nullptr;
        uint32_t index = 0;
    };

    static void on_child_done(TaskCore::AwaitNode* a);

    std::vector<Node> nodes_;
    std::vector<uint32_t> order_;
    size_t total_;
    size_t written_ = 0;
    size_t read_ = 0;
    int64_t deadline_ = 0;
    bool has_deadline_ = false;
};

}  // namespace corio::detail
