// The resolver threads behind lookup_off_loop (see resolver.hpp). Layer 5 internals.
//
// Threads are started on demand, at most kMaxThreads, detached, and end after kIdleExit
// without work. The pool itself is never destroyed: a thread blocked in getaddrinfo may still
// be running when the program exits.
//
// A job is shared by its waiter (on the loop thread) and a resolver thread. Its `loop` is
// non-null exactly while the waiter still wants the answer; the waiter clears it under `mu`
// when it leaves, before its frame (and so before the loop) can be destroyed, and the thread
// posts the answer only under `mu` with `loop` non-null. So a post always reaches a live loop.
#include "resolver.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "corio/detail/loop_access.hpp"
#include "wait_queue.hpp"

namespace corio::detail {

namespace {

constexpr int kMaxThreads = 16;
constexpr auto kIdleExit = std::chrono::seconds(10);

std::atomic<LookupFunction> g_lookup{nullptr};

struct LookupJob {
    explicit LookupJob(LookupRequest r) : request(std::move(r)) {}
    const LookupRequest request;
    std::mutex mu;
    Loop* loop = nullptr;  // guarded by mu; see the file comment
    LookupResult result;   // written by the resolver thread before it posts
    // Loop thread only.
    bool arrived = false;
    bool counted = false;  // the loop counts this lookup as outside work
    WaitQueue waiters;

    void stop_counting(Loop& l) noexcept {
        if (!counted) return;
        counted = false;
        LoopAccess::external_end(l);
    }
};

// Carries the answer into the loop's inbox.
class Arrival final : public CallbackNode {
public:
    Arrival(std::shared_ptr<LookupJob> job, Loop& loop) : job_(std::move(job)), loop_(&loop) {}
    void run() override {
        std::unique_ptr<Arrival> self(this);
        job_->arrived = true;
        job_->stop_counting(*loop_);
        job_->waiters.wake_all();
    }
    void drop() override {
        job_->stop_counting(*loop_);
        delete this;
    }

private:
    std::shared_ptr<LookupJob> job_;
    Loop* loop_;
};

void run_job(const std::shared_ptr<LookupJob>& job) {
    {
        std::lock_guard<std::mutex> g(job->mu);
        if (!job->loop) return;  // its waiter left before the lookup began
    }
    LookupFunction fn = g_lookup.load(std::memory_order_acquire);
    LookupResult r = fn ? fn(job->request) : lookup_blocking(job->request);
    std::lock_guard<std::mutex> g(job->mu);
    if (!job->loop) return;
    job->result = std::move(r);
    LoopAccess::post_threadsafe(*job->loop, new Arrival(job, *job->loop));
}

// Invariant (under mu_): threads_ <= kMaxThreads; idle_ threads are waiting on cv_; a new
// thread starts when more jobs are queued than idle threads can take.
class ResolverThreads {
public:
    void submit(std::shared_ptr<LookupJob> job) {
        std::lock_guard<std::mutex> g(mu_);
        queue_.push_back(std::move(job));
        if (queue_.size() > idle_ && threads_ < kMaxThreads) {
            try {
                std::thread([this] { work(); }).detach();
                ++threads_;
            } catch (...) {
                if (threads_ == 0) {
                    queue_.pop_back();
                    throw;
                }
            }
        }
        cv_.notify_one();
    }

private:
    void work() {
        std::unique_lock<std::mutex> lock(mu_);
        for (;;) {
            ++idle_;
            bool got = cv_.wait_for(lock, kIdleExit, [this] { return !queue_.empty(); });
            --idle_;
            if (!got) {
                --threads_;
                return;
            }
            std::shared_ptr<LookupJob> job = std::move(queue_.front());
            queue_.pop_front();
            lock.unlock();
            run_job(job);
            job.reset();
            lock.lock();
        }
    }

    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::shared_ptr<LookupJob>> queue_;
    size_t idle_ = 0;
    int threads_ = 0;
};

ResolverThreads& resolver_threads() {
    static auto* threads = new ResolverThreads;  // never destroyed: see the file comment
    return *threads;
}

// The waiter's side of leaving, however it leaves (answer, deadline, cancel, frame destroyed).
struct Leave {
    LookupJob* job;
    Loop& loop;
    ~Leave() {
        {
            std::lock_guard<std::mutex> g(job->mu);
            job->loop = nullptr;
        }
        job->stop_counting(loop);
    }
};

}  // namespace

void set_lookup_function(LookupFunction fn) noexcept {
    g_lookup.store(fn, std::memory_order_release);
}

Coro<std::optional<LookupResult>> lookup_off_loop(LookupRequest r, int64_t deadline_ns) {
    Loop& loop = Loop::current();
    auto job = std::make_shared<LookupJob>(std::move(r));
    job->loop = &loop;
    job->counted = true;
    LoopAccess::external_begin(loop);
    Leave leave{job.get(), loop};
    resolver_threads().submit(job);
    while (!job->arrived) {
        WaitQueue::Awaiter wait(job->waiters, deadline_ns);
        if (!co_await wait) co_return std::nullopt;
    }
    co_return std::move(job->result);
}

}  // namespace corio::detail
