// Loop::run_in_executor and corio::to_thread: await a blocking call run on a ThreadPool while
// the loop serves everything else. Layer 4, over the pool (layer 3) and the loop's inbox.
//
// A call crosses threads as one heap node, an ExecutorJob, with exactly one owner at a time:
//  1. loop thread: the awaiter creates it and submits it; the pool owns it (state Queued);
//  2. a worker takes it and moves it Queued -> Running, runs f, keeps the value or the
//     exception in the node, posts the node to the loop's inbox and forgets it;
//  3. loop thread: the node runs as a callback; if its awaiter is still there the awaiter owns
//     it (takes the result, frees it), otherwise it frees itself: a late result is dropped.
// Cancelling the awaiter moves a Queued job to Cancelled (the worker that finds it frees it
// unrun); a Running job is only detached and comes back in step 3. The exception object is
// only touched by the worker before the hand-off through the inbox mutex and by the loop thread
// after it, so it keeps its type and ThreadSanitizer sees a clean happens-before edge.
// Loop::external_begin/end bracket every job in flight, on the loop thread: a manual clock
// never jumps ahead of a running job, and a closing loop waits for the ones still running.
//
// Threads: to_thread and run_in_executor are called and awaited on the loop's thread; f runs on
// a pool worker.
#pragma once

#include <atomic>
#include <coroutine>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include "corio/coro.hpp"
#include "corio/detail/task_core.hpp"
#include "corio/loop.hpp"
#include "corio/thread_pool.hpp"

namespace corio {

namespace detail {

class ExecutorWait;

class ExecutorJobBase : public PoolJob, public CallbackNode {
public:
    explicit ExecutorJobBase(Loop* loop) : loop_(loop) {}
    ExecutorJobBase(const ExecutorJobBase&) = delete;
    ExecutorJobBase& operator=(const ExecutorJobBase&) = delete;

    void execute() noexcept final;  // PoolJob, on a worker
    void discard() noexcept final;  // PoolJob: the pool shut down before the job started
    void run() final;               // CallbackNode, on the loop thread: back from the worker
    void drop() final;              // CallbackNode: the loop closes first

    // Loop thread: the awaiter no longer wants the result (cancelled, or its frame destroyed).
    void abandon() noexcept;
    bool dropped() const noexcept { return state_.load(std::memory_order_relaxed) == kDropped; }
    void destroy() noexcept { delete this; }

    ExecutorWait* waiter = nullptr;  // touched on the loop thread only
    std::exception_ptr error;        // set by the worker before the node is posted back

protected:
    virtual ~ExecutorJobBase() = default;
    virtual void invoke() = 0;

private:
    enum : uint8_t { kQueued, kRunning, kCancelled, kDropped };
    Loop* loop_;
    std::atomic<uint8_t> state_{kQueued};
};

template <class F, class R>
class ExecutorJob final : public ExecutorJobBase {
public:
    ExecutorJob(Loop* loop, F f) : ExecutorJobBase(loop), f_(std::move(f)) {}
    R take() {
        if constexpr (!std::is_void_v<R>) return std::move(*value_);
    }

private:
    void invoke() override {
        if constexpr (std::is_void_v<R>) {
            std::invoke(f_);
        } else {
            value_.emplace(std::invoke(f_));
        }
    }
    struct Nothing {};
    F f_;
    [[no_unique_address]] std::conditional_t<std::is_void_v<R>, Nothing, std::optional<R>> value_;
};

// The awaiting side, embedded in the coroutine frame; follows the parking protocol.
class ExecutorWait : Waiter {
public:
    ExecutorWait(Loop& loop, ThreadPool& pool) : loop_(loop), pool_(pool) {}
    ExecutorWait(const ExecutorWait&) = delete;
    ExecutorWait& operator=(const ExecutorWait&) = delete;
    ~ExecutorWait();

    bool await_ready() const noexcept { return false; }

    // Called by the job, on the loop thread.
    void job_finished() noexcept;
    void job_lost() noexcept { job_ = nullptr; }

protected:
    void start(std::coroutine_handle<> h, TaskCore* task, ExecutorJobBase* job);
    // Throws CancelledError if the awaiting task was cancelled or the pool dropped the job,
    // else what f threw.
    void check_result();

    Loop& loop_;
    ThreadPool& pool_;
    ExecutorJobBase* job_ = nullptr;

private:
    std::coroutine_handle<> handle_;
    bool finished_ = false;
};

template <class F, class R>
class ExecutorAwaiter final : public ExecutorWait {
public:
    ExecutorAwaiter(Loop& loop, ThreadPool& pool, F f)
        : ExecutorWait(loop, pool), f_(std::move(f)) {}

    template <class P>
    void await_suspend(std::coroutine_handle<P> h) {
        start(h, task_of(h), new ExecutorJob<F, R>(&loop_, std::move(f_)));
    }
    R await_resume() {
        check_result();
        return static_cast<ExecutorJob<F, R>*>(job_)->take();
    }

private:
    F f_;
};

template <class F, class... Args>
using blocking_result_t = std::remove_cvref_t<std::invoke_result_t<F&, Args...>>;

// One frame for both entry points. The loop is looked up when the Coro first runs, so a Coro
// made outside a running loop (as to_thread's can be) binds to the loop that awaits it.
template <class R, class F>
Coro<R> run_blocking(Loop* loop, ThreadPool* pool, F f) {
    Loop& l = loop ? *loop : Loop::current();
    ExecutorAwaiter<F, R> awaiter(l, pool ? *pool : l.default_executor(), std::move(f));
    co_return co_await awaiter;
}

}  // namespace detail

template <class F>
Coro<std::remove_cvref_t<std::invoke_result_t<F&>>> Loop::run_in_executor(ThreadPool* pool, F f) {
    return detail::run_blocking<detail::blocking_result_t<F>>(this, pool, std::move(f));
}

// asyncio.to_thread: f(args...) on the running loop's default pool. f and args are moved into
// the job (by value, as std::thread takes them); the result or exception comes back, type kept.
// Awaiting throws what f threw, CancelledError when cancelled or when the pool shut down with
// the job unrun, corio::Error outside a running loop or on a closed one.
//
// g++ 12 pitfall: a lambda with non-trivial captures written inside the co_await expression,
// `co_await to_thread([s] { ... })`, is destroyed twice (a compiler bug with aggregate-like
// temporaries in co_await full-expressions). Pass the data as arguments instead,
// `co_await to_thread([](std::string s) { ... }, s)`, or name the lambda first.
template <class F, class... Args>
Coro<detail::blocking_result_t<F, Args&&...>> to_thread(F f, Args... args) {
    auto call = [f = std::move(f), ... args = std::move(args)]() mutable -> decltype(auto) {
        return std::invoke(f, std::move(args)...);
    };
    return detail::run_blocking<detail::blocking_result_t<F, Args&&...>>(nullptr, nullptr,
                                                                         std::move(call));
}

}  // namespace corio
