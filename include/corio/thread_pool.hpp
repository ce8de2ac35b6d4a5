// corio::ThreadPool: worker threads for blocking work, asyncio's default ThreadPoolExecutor.
// Layer 3: knows nothing of loops or coroutines. run_in_executor and to_thread (executor.hpp)
// hand it jobs, and the jobs bring their results back through the loop's cross-thread inbox.
//
// The job queue is unbounded, on purpose: submit() is called from a loop thread, and a bounded
// queue would have to block that thread (stalling every task on the loop) or fail. Callers who
// need back-pressure bound themselves, e.g. with a Semaphore around to_thread.
//
// Workers start lazily, one per submit that finds no idle worker, up to max_workers(): a loop
// that resolves one hostname costs one thread, not a full pool. An idle worker polls for 50 us,
// yielding, before it sleeps (one at a time): back-to-back round trips skip the futex.
//
// Threads: every member may be called from any thread; shutdown() (and so the destructor) not
// from one of the pool's own workers.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>
#include <vector>

namespace corio {

namespace detail {

// One unit of blocking work, linked into the pool's queue (intrusive: queueing allocates
// nothing). The pool calls exactly one of execute() (on a worker) or discard() (on the thread
// that shuts the pool down with cancel_pending, for a job that never started), exactly once;
// after that the pool never touches the node again.
class PoolJob {
public:
    virtual void execute() noexcept = 0;
    virtual void discard() noexcept = 0;

    PoolJob* next_job = nullptr;

protected:
    ~PoolJob() = default;
};

}  // namespace detail

class ThreadPool {
public:
    // 0: as many workers as hardware threads, and at least 4 (blocking work is I/O-bound more
    // often than not, so more threads than cores pays). Starts no thread; does not throw.
    explicit ThreadPool(size_t max_workers = 0);
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;
    // shutdown(): finishes the queued jobs, then joins the workers. Called from one of the
    // pool's own jobs it reports and aborts the process.
    ~ThreadPool();

    // Counters, for tests and monitoring: a snapshot, stale as soon as read. Never throw.
    size_t max_workers() const noexcept { return max_workers_; }
    size_t workers() const;       // started so far
    size_t idle_workers() const;  // started and waiting for a job
    size_t queued() const;        // submitted and not yet taken by a worker

    // Stops accepting jobs and joins every worker. Queued jobs are run first, or with
    // cancel_pending discarded (their awaiters get CancelledError, as concurrent.futures'
    // cancel_futures). Jobs already running always finish: a blocking call cannot be
    // interrupted. Idempotent and safe from several threads; throws corio::Error when called
    // from one of this pool's own workers (it would wait for itself).
    void shutdown(bool cancel_pending = false);
    bool is_shutdown() const;  // never throws

    // For the layers above: queues a job. Throws corio::Error after shutdown, and
    // std::system_error when not even one worker thread can be started.
    void submit(detail::PoolJob* job);

private:
    void worker_main();
    void start_worker_locked();
    void spin_for_job() const;

    const size_t max_workers_;
    mutable std::mutex mu_;
    std::condition_variable wake_;
    // Guarded by mu_. Invariants: queued_ counts the list head_..tail_ (atomic only so that the
    // spinning worker can peek at it unlocked); spinning_ (0 or 1) and sleeping_ count the
    // workers without a job; a notified sleeper still counts until it wakes and takes a job, so
    // a submit starts a new worker only when queued_ exceeds the idle ones.
    detail::PoolJob* head_ = nullptr;
    detail::PoolJob* tail_ = nullptr;
    std::atomic<size_t> queued_{0};
    size_t spinning_ = 0;
    size_t sleeping_ = 0;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
    std::mutex shutdown_mu_;  // serialises shutdown() so a second caller waits for the joins
};

}  // namespace corio
