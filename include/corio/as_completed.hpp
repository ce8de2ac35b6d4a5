// corio::as_completed: asyncio.as_completed. Layer 4, over detail/completion_queue.hpp.
//
//   auto it = corio::as_completed(tasks);            // or as_completed(tasks, 5s)
//   while (auto t = co_await it.next()) use(co_await *t);
//
// next() yields each task as it finishes (already finished ones first, in input order), then
// nullopt. With a timeout, next() throws TimeoutError once the deadline (counted from the
// as_completed call) has passed and no finished task is left to hand out. Nothing is ever
// cancelled: tasks not handed out keep running.
//
// Threads: made and awaited on the tasks' loop thread. Throws: as_completed throws
// InvalidStateError for an empty Task and, with a timeout, corio::Error when no loop runs on
// this thread; next() throws TimeoutError as above and CancelledError when the awaiting task
// is cancelled.
#pragma once

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "corio/detail/completion_queue.hpp"
#include "corio/detail/optional_duration.hpp"
#include "corio/error.hpp"
#include "corio/task.hpp"

namespace corio {

template <class T>
class AsCompleted {
public:
    class NextAwaiter {
    public:
        explicit NextAwaiter(AsCompleted* it) noexcept : it_(it) {}
        bool await_ready() const { return it_->q_->ready(); }
        template <class P>
        void await_suspend(std::coroutine_handle<P> h) {
            it_->q_->suspend(h);
        }
        std::optional<Task<T>> await_resume() {
            int64_t i = it_->q_->resume();
            if (i < 0) return std::nullopt;
            return it_->tasks_[static_cast<size_t>(i)];
        }

    private:
        AsCompleted* it_;
    };

    AsCompleted(std::vector<Task<T>> tasks, detail::OptionalDuration timeout)
        : tasks_(std::move(tasks)) {
        std::vector<detail::TaskCore*> cores;
        cores.reserve(tasks_.size());
        for (const Task<T>& t : tasks_) {
            if (!t.valid()) throw InvalidStateError("as_completed of an empty Task");
            cores.push_back(t.state_ptr());
        }
        q_ = std::make_unique<detail::CompletionQueue>(cores, timeout);
    }

    // co_await it.next() -> std::optional<Task<T>>: the next task to finish, nullopt after the
    // last one.
    [[nodiscard]] NextAwaiter next() noexcept { return NextAwaiter(this); }
    // Tasks not handed out yet. Never throws.
    size_t remaining() const noexcept { return q_->remaining(); }

private:
    std::vector<Task<T>> tasks_;
    std::unique_ptr<detail::CompletionQueue> q_;  // on the heap: its nodes must not move
};

template <class T>
AsCompleted<T> as_completed(std::vector<Task<T>> tasks, detail::OptionalDuration timeout = {}) {
    return AsCompleted<T>(std::move(tasks), timeout);
}

}  // namespace corio
