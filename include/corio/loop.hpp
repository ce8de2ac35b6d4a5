// corio::Loop: the event loop (asyncio's loop). Layer 3: a ready queue, a timer wheel, a poller
// and a wake-up fd for other threads. One loop per thread; nothing on it is thread-safe but
// call_soon_threadsafe (and run_coroutine_threadsafe, built on it).
//
// Threads: everything here runs on the loop's thread (the one that runs or will run it) unless a
// declaration says otherwise. Throws: corio::Error as noted; std::bad_alloc aside, what is not
// noted does not throw.
#pragma once

#include <atomic>
#include <chrono>
#include <coroutine>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "corio/clock.hpp"
#include "corio/detail/callback.hpp"
#include "corio/detail/io_watcher.hpp"
#include "corio/detail/ready_queue.hpp"
#include "corio/detail/resident.hpp"
#include "corio/detail/signal_handler.hpp"
#include "corio/detail/timer_node.hpp"
#include "corio/error.hpp"
#include "corio/timer_handle.hpp"

namespace corio {

template <class T>
class Coro;
template <class T>
class Task;
class ThreadPool;

namespace detail {
class TimerWheel;
class Poller;
class SignalSet;
struct PollEvent;
class LoopAccess;  // the internals the layers above use: see detail/loop_access.hpp
}  // namespace detail

// The kernel facility a loop waits on. Default: the CORIO_POLLER environment variable when it is
// set ("epoll", "kqueue" or "poll"), else the best this build has (epoll on Linux, kqueue on the
// BSDs and macOS). poll(2) is built everywhere; it costs O(descriptors) per wait.
enum class PollerKind : unsigned char { Default, Epoll, Kqueue, Poll };

struct LoopOptions {
    // Time source; null means the real steady clock. The clock must outlive the loop.
    Clock* clock = nullptr;
    // A backend this build lacks (or a CORIO_POLLER naming none) makes the constructor throw
    // corio::Error.
    PollerKind poller = PollerKind::Default;
};

// Receives the loop's diagnostics: what it cannot throw to anyone (a callback that threw, a
// task exception nobody retrieved, a task destroyed pending, ...), one line each without the
// "corio: " prefix or a newline. Called on the loop's thread; must not throw.
using Reporter = std::function<void(std::string_view message)>;

class Loop {
public:
    using time_point = Clock::time_point;
    using duration = Clock::duration;

    // Throw std::system_error when the poller or the wake-up fd cannot be made, corio::Error
    // when the poller asked for (LoopOptions::poller, CORIO_POLLER) is not built in.
    Loop();
    explicit Loop(LoopOptions options);
    Loop(const Loop&) = delete;
    Loop& operator=(const Loop&) = delete;
    ~Loop();  // closes the loop; on the loop's thread, never while it runs

    // The loop running on this thread: current() throws corio::Error when there is none;
    // running() returns nullptr then. Any thread (each sees its own).
    static Loop& current();
    static Loop* running() noexcept;

    // The poller backend this loop waits on: "epoll", "kqueue" or "poll"; "" once closed.
    const char* poller_name() const noexcept;

    // Now on the loop's clock. Never throws.
    time_point time() const { return time_point(duration(now_ns())); }

    // Schedules f() for the next loop iteration. call_later/call_at return a handle that can
    // cancel the timer; they throw corio::Error on a closed loop. What f throws is reported,
    // not propagated. Timers that share a deadline fire in the order they were scheduled
    // (call_at, call_later and sleep alike; tests/test_timer_order.cpp holds it); an earlier
    // deadline always fires first.

    template <class F>
    void call_soon(F f) {
        ready_.push(new detail::OwnedCallback<F>(std::move(f)));
    }
    template <class Rep, class Period, class F>
    TimerHandle call_later(std::chrono::duration<Rep, Period> delay, F f) {
        return call_at_ns(now_ns() + detail::to_ns(delay).count(),
                          new detail::TimerCallback<F>(std::move(f)));
    }
    template <class F>
    TimerHandle call_at(time_point when, F f) {
        return call_at_ns(when.time_since_epoch().count(),
                          new detail::TimerCallback<F>(std::move(f)));
    }
    // From any thread. Calls made by one thread run in the order made; wake-ups are coalesced
    // (one poller wake-up per batch, not per call). On a closed loop f is dropped, not run.
    // Does not throw (std::bad_alloc aside).
    template <class F>
    void call_soon_threadsafe(F f) {
        post_threadsafe(new detail::OwnedCallback<F>(std::move(f)));
    }

    // Schedules coro as a task. Throws corio::Error on a closed loop, InvalidStateError for an
    // empty Coro.
    template <class T>
    Task<T> create_task(Coro<T> coro, std::string name = {});

    // Runs the loop until the coroutine or task is done and returns its result (rethrows its
    // exception). Re-entrant: called from a callback or from synchronous code inside a running
    // coroutine, it keeps every other task, timer and I/O of the loop going while it waits.
    // Throws corio::Error if the loop is closed, another loop runs on this thread, or stop()
    // ends the run first; create_task's errors for the Coro form.
    template <class T>
    T run_until_complete(Coro<T> coro);
    template <class T>
    T run_until_complete(Task<T> task);

    // Runs f() on a worker of pool (nullptr: the loop's default pool, made on first use) and
    // returns its result, or rethrows what it threw with the type kept. Awaiting suspends only
    // the calling task. Cancelling it stops the waiting at once; the call itself cannot be
    // interrupted, and its result is dropped when it returns. Defined in executor.hpp.
    // Throws CancelledError if cancelled or the pool dropped the job; corio::Error when the
    // pool is shut down or (pool == nullptr) the loop is closed.
    template <class F>
    Coro<std::remove_cvref_t<std::invoke_result_t<F&>>> run_in_executor(ThreadPool* pool, F f);

    // Calls f() on the loop thread each time signal sig arrives (any thread may receive it),
    // replacing the handler sig had on this loop. Several loops may handle one signal: each
    // gets it. Throws corio::Error for an invalid signal, SIGKILL or SIGSTOP. Delivery is a
    // sigaction handler writing a self-pipe (see src/reactor/signals.hpp for why not
    // signalfd); the disposition the signal had before is restored when the last loop
    // handling it removes its handler or closes. Also throws corio::Error on a closed loop,
    // std::system_error when sigaction or the self-pipe fails.
    template <class F>
    void add_signal_handler(int sig, F f) {
        add_signal_handler_node(sig, std::make_unique<detail::SignalHandler<F>>(std::move(f)),
                                false);
    }
    // False when this loop had no handler for sig.
    bool remove_signal_handler(int sig);

    // Runs until stop(). Throws corio::Error if the loop is closed or another loop runs on
    // this thread.
    void run_forever();
    // Makes run_forever return after the current iteration (run_until_complete then throws).
    void stop() noexcept { stopping_ = true; }
    bool is_running() const noexcept { return run_depth_ > 0; }
    bool is_closed() const noexcept { return closed_; }
    // Drops pending callbacks, destroys pending tasks' frames (each reported, as asyncio's
    // "Task was destroyed but it is pending!"), releases the poller. Idempotent. Throws
    // corio::Error when called while the loop runs.
    void close();
    // What corio::run does after its main task: cancel every task still pending, run the loop
    // until they all finished their cleanup, then close. Never throws; errors are reported.
    void shutdown() noexcept;
    // Tasks created on this loop and not yet done.
    size_t pending_tasks() const noexcept;

    // The pool run_in_executor(nullptr, f) and to_thread use; created on first use, shut down
    // (after its running jobs return) when the loop closes. Throws corio::Error on a closed
    // loop.
    ThreadPool& default_executor();
    // Where diagnostics go; null (the default) writes "corio: <message>" lines to stderr.
    // Never throws.
    void set_reporter(Reporter r) { reporter_ = std::move(r); }

private:
    friend class detail::LoopAccess;

    // ---- for awaiters and the layers above, through detail::LoopAccess ----
    void schedule(std::coroutine_handle<> h) { ready_.push(h); }
    void schedule(detail::CallbackNode* cb) { ready_.push(cb); }
    int64_t now_ns() const {
        return clock_ ? clock_->now().time_since_epoch().count() : steady_now_ns();
    }
    void add_timer(detail::TimerNode* t);
    void cancel_timer(detail::TimerNode* t) noexcept;
    // Registers/updates/removes a watcher; returns 0 or -errno.
    int watch(detail::IoWatcher* w, uint32_t interest);
    int rewatch(detail::IoWatcher* w, uint32_t interest);
    int unwatch(detail::IoWatcher* w) noexcept;
    // Work running outside the loop (thread-pool jobs) that will come back through
    // call_soon_threadsafe: while any is in flight a manual clock must not jump ahead.
    // Both are called on the loop thread only; close() waits for the count to reach zero.
    void external_begin() noexcept { external_.fetch_add(1, std::memory_order_relaxed); }
    void external_end() noexcept { external_.fetch_sub(1, std::memory_order_relaxed); }
    // call_soon_threadsafe without the wrapping: links cb into the inbox from any thread. Once
    // the loop has taken cb, the posting thread no longer touches the loop, so the loop may be
    // destroyed right after cb ran.
    void post_threadsafe(detail::CallbackNode* cb);
    // add_signal_handler's untyped half; exit_on_repeat is corio::run's: a second arrival of
    // the signal ends the process from the signal handler itself, even if the loop is stuck.
    void add_signal_handler_node(int sig, std::unique_ptr<detail::SignalHandlerBase> h,
                                 bool exit_on_repeat);
    void report(std::string_view message) noexcept;
    void report(const char* context, std::exception_ptr e) noexcept;
    // The registry of residents (pending tasks); the loop holds a reference to each.
    void register_resident(detail::Resident* r) noexcept;
    void unregister_resident(detail::Resident* r) noexcept;
    void run_until_done(detail::Resident* r);

    static int64_t steady_now_ns() {
        return std::chrono::steady_clock::now().time_since_epoch().count();
    }
    TimerHandle call_at_ns(int64_t deadline, detail::TimerCallbackBase* cb);
    void drop_ready() noexcept;
    void wait_for_external_work() noexcept;
    void run_once();
    // poll() runs these phases in order (as libuv's uv_run does); see loop.cpp.
    void poll(bool may_block);
    int64_t poll_timeout(bool may_block, int64_t& next_deadline) const;
    int wait_for_io(int64_t timeout, int64_t next_deadline, detail::PollEvent* events);
    bool dispatch_io(const detail::PollEvent* events, int n);
    void expire_timers();
    void run_ready_batch();
    void drain_inbox(bool woken);
    static void on_wakeup(detail::IoWatcher* w, uint32_t events);
    void enter();
    void leave() noexcept;

    detail::ReadyQueue ready_;
    Clock* clock_ = nullptr;
    std::unique_ptr<detail::TimerWheel> wheel_;
    std::unique_ptr<detail::Poller> poller_;
    detail::Resident* residents_ = nullptr;  // pending tasks: the loop holds a reference to each
    size_t run_since_poll_ = 0;
    int run_depth_ = 0;
    bool stopping_ = false;
    bool closed_ = false;

    // Cross-thread inbox: producers link nodes under the mutex; the loop takes the whole list.
    // wakeup_ is the token the poller's wake-ups come back with (no fd of its own).
    detail::IoWatcher wakeup_;
    std::mutex inbox_mu_;
    detail::CallbackNode* inbox_head_ = nullptr;
    detail::CallbackNode* inbox_tail_ = nullptr;
    std::atomic<bool> wake_pending_{false};
    std::atomic<int> external_{0};

    std::unique_ptr<ThreadPool> default_pool_;    // lazily made by default_executor()
    std::unique_ptr<detail::SignalSet> signals_;  // lazily made by add_signal_handler
    Reporter reporter_;                           // null: stderr
};

}  // namespace corio
