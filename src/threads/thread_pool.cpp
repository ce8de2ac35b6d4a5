// The thread pool's workers, queue and shutdown (see thread_pool.hpp). Plain threads, one mutex
// and one condition variable; only the one diagnostic names a loop (its reporter).
#include "corio/thread_pool.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <system_error>
#include <utility>

#include "corio/detail/loop_access.hpp"
#include "corio/error.hpp"

namespace corio {

namespace {

// How long the spinning worker looks for a next job before it sleeps on the condition variable.
// It yields the CPU between looks rather than pausing: on an oversubscribed machine a pausing
// spinner takes the core from the very thread that would submit the next job.
constexpr auto kSpin = std::chrono::microseconds(50);

// Which pool the calling thread works for, so shutdown() from inside a job fails loudly
// instead of joining itself.
thread_local const ThreadPool* tl_worker_of = nullptr;

size_t default_workers() {
    size_t hw = std::thread::hardware_concurrency();
    return std::max<size_t>(hw, 4);
}
}  // namespace

ThreadPool::ThreadPool(size_t max_workers)
    : max_workers_(max_workers ? max_workers : default_workers()) {}

ThreadPool::~ThreadPool() {
    if (tl_worker_of == this) {
        detail::LoopAccess::report(Loop::running(),
                                   "a ThreadPool is being destroyed by one of its own jobs");
        std::abort();
    }
    shutdown(false);
}

size_t ThreadPool::workers() const {
    std::lock_guard<std::mutex> g(mu_);
    return threads_.size();
}

size_t ThreadPool::idle_workers() const {
    std::lock_guard<std::mutex> g(mu_);
    return spinning_ + sleeping_;
}

size_t ThreadPool::queued() const { return queued_.load(std::memory_order_relaxed); }

bool ThreadPool::is_shutdown() const {
    std::lock_guard<std::mutex> g(mu_);
    return stopping_;
}

void ThreadPool::submit(detail::PoolJob* job) {
    bool notify;
    {
        std::lock_guard<std::mutex> g(mu_);
        if (stopping_) throw Error("submit to a thread pool that is shut down");
        job->next_job = nullptr;
        if (tail_) {
            tail_->next_job = job;
        } else {
            head_ = job;
        }
        tail_ = job;
        size_t queued = queued_.load(std::memory_order_relaxed) + 1;
        queued_.store(queued, std::memory_order_relaxed);
        if (queued > spinning_ + sleeping_ && threads_.size() < max_workers_) {
            try {
                start_worker_locked();
                return;
            } catch (const std::system_error&) {
                if (!threads_.empty()) return;  // the running workers will get to it
                // No worker at all: every earlier submit failed the same way and took its job
                // back, so this job is alone in the queue.
                head_ = tail_ = nullptr;
                queued_.store(0, std::memory_order_relaxed);
                throw;
            }
        }
        // A spinning worker finds the job by itself; sleepers need the futex.
        notify = sleeping_ > 0 && queued > spinning_;
    }
    // Outside the mutex, so the woken worker does not wake only to block on it.
    if (notify) wake_.notify_one();
}

void ThreadPool::start_worker_locked() {
    threads_.emplace_back([this] { worker_main(); });
}

void ThreadPool::spin_for_job() const {
    auto until = std::chrono::steady_clock::now() + kSpin;
    while (queued_.load(std::memory_order_relaxed) == 0) {
        std::this_thread::yield();
        if (std::chrono::steady_clock::now() >= until) return;
    }
}

void ThreadPool::worker_main() {
    tl_worker_of = this;
    std::unique_lock<std::mutex> lk(mu_);
    for (;;) {
        if (detail::PoolJob* job = head_) {
            head_ = job->next_job;
            if (!head_) tail_ = nullptr;
            queued_.store(queued_.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
            lk.unlock();
            job->execute();
            lk.lock();
            continue;
        }
        if (stopping_) break;
        if (spinning_ == 0) {
            // One worker per pool polls a little before it sleeps: a loop that awaits blocking
            // calls one after another then hands over the next without a futex wake-up, which
            // is most of a round trip's latency. At most one spinner keeps the CPU cost small.
            ++spinning_;
            lk.unlock();
            spin_for_job();
            lk.lock();
            --spinning_;
            if (head_ || stopping_) continue;
        }
        ++sleeping_;
        wake_.wait(lk);
        --sleeping_;
    }
}

void ThreadPool::shutdown(bool cancel_pending) {
    if (tl_worker_of == this) throw Error("ThreadPool::shutdown called from one of its own jobs");
    std::lock_guard<std::mutex> serial(shutdown_mu_);
    detail::PoolJob* dropped = nullptr;
    std::vector<std::thread> threads;
    {
        std::lock_guard<std::mutex> g(mu_);
        stopping_ = true;
        if (cancel_pending) {
            dropped = std::exchange(head_, nullptr);
            tail_ = nullptr;
            queued_.store(0, std::memory_order_relaxed);
        }
        threads.swap(threads_);
        wake_.notify_all();
    }
    while (dropped) {
        detail::PoolJob* next = dropped->next_job;
        dropped->discard();
        dropped = next;
    }
    // Workers drain what is left of the queue before they see stopping_ and leave.
    for (std::thread& t : threads) t.join();
}

}  // namespace corio
