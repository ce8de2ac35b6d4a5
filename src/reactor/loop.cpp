// The event loop. Layer 3: uses the poller, the timer wheel and the ready queue, nothing above.
//
// One iteration (run_once), in code order:
//   1. poll: only when the ready queue is empty (then it may block until the next timer) or
//      when 64 ready items ran or timers were armed since the last poll (then it does not
//      block), so a busy loop pays no syscall per switch yet I/O and timers are never starved.
//      Its phases:
//      a. poll_timeout: how long it may block (until the earliest timer, or not at all);
//      b. wait_for_io: the manual clock's jump, the short spin for thread-pool results, then
//         the poller's wait;
//      c. dispatch_io: watchers record readiness and schedule waiters (no user code);
//      d. drain_inbox: take the cross-thread inbox;
//      e. expire_timers: advance the timer wheel; due timers schedule their work;
//   2. run the ready items that were queued when the batch began; what they schedule waits
//      for the next batch (asyncio's fairness rule).
// A run that finds nothing ready blocks in the poller until the earliest timer deadline; with
// a manual clock it jumps to that deadline instead, unless outside work is still in flight.
#include "corio/loop.hpp"

#include <climits>
#include <cstdio>
#include <system_error>
#include <thread>

#include "corio/detail/trampoline.hpp"
#include "corio/thread_pool.hpp"
#include "poller.hpp"
#include "report.hpp"
#include "signals.hpp"
#include "timer_wheel.hpp"

namespace corio {

namespace {
thread_local Loop* tl_current = nullptr;
constexpr size_t kPollEvery = 64;
constexpr int kMaxEvents = 256;
constexpr auto kExternalSpin = std::chrono::microseconds(20);

// With thread-pool jobs in flight and nothing else to do, the loop looks at the wake-up flag
// for a few microseconds, yielding the CPU between looks, before it blocks: a short job's
// result then skips the wake-up of a sleeping thread, which dominates a to_thread round trip
// (p50 ~17 us -> ~6 us on a loaded 2-core machine). Yielding, not pausing, keeps an
// oversubscribed machine fair: the worker the loop waits for gets the CPU.
bool wakeup_arrives_soon(const std::atomic<bool>& wake_pending) {
    auto until = std::chrono::steady_clock::now() + kExternalSpin;
    while (!wake_pending.load(std::memory_order_relaxed)) {
        if (std::chrono::steady_clock::now() >= until) return false;
        std::this_thread::yield();
    }
    return true;
}
// Runs f when the scope ends, however it ends (leaving a run, releasing a task).
template <class F>
struct ScopeExit {
    F f;
    ~ScopeExit() { f(); }
};
template <class F>
ScopeExit(F) -> ScopeExit<F>;
}  // namespace

Loop::Loop() : Loop(LoopOptions{}) {}

Loop::Loop(LoopOptions options) : clock_(options.clock) {
    wheel_ = std::make_unique<detail::TimerWheel>(now_ns());
    wakeup_.on_ready = &Loop::on_wakeup;
    poller_ = detail::make_poller(options.poller, &wakeup_);
    detail::loop_born(this);
}

Loop::~Loop() {
    if (run_depth_ > 0) {
        report("a running loop is being destroyed");
        std::abort();
    }
    close();
    detail::loop_gone(this);
}

Loop& Loop::current() {
    if (!tl_current) throw Error("no running event loop");
    return *tl_current;
}

Loop* Loop::running() noexcept { return tl_current; }

// Arming a timer counts toward the poll-every-64 rule as a ready item does: a task that arms
// thousands in one step (a batch of 1,000 between yields) must not keep the loop from
// expiring the timers that fell due meanwhile for 64 such steps.
void Loop::add_timer(detail::TimerNode* t) {
    ++run_since_poll_;
    wheel_->insert(t);
}

void Loop::cancel_timer(detail::TimerNode* t) noexcept {
    if (wheel_) wheel_->cancel(t);
}

int Loop::watch(detail::IoWatcher* w, uint32_t interest) {
    w->interest = interest;
    w->disarmed = 0;
    return poller_->add(w, interest);
}

int Loop::rewatch(detail::IoWatcher* w, uint32_t interest) {
    w->interest = interest;
    return poller_->modify(w, interest);
}

const char* Loop::poller_name() const noexcept { return poller_ ? poller_->name() : ""; }

int Loop::unwatch(detail::IoWatcher* w) noexcept { return poller_ ? poller_->remove(w) : 0; }

void Loop::register_resident(detail::Resident* r) noexcept {
    r->reg_prev = nullptr;
    r->link = residents_;
    if (residents_) residents_->reg_prev = r;
    residents_ = r;
}

void Loop::unregister_resident(detail::Resident* r) noexcept {
    detail::Resident* next = r->reg_next();
    if (r->reg_prev) {
        r->reg_prev->link = next;
    } else if (residents_ == r) {
        residents_ = next;
    }
    if (next) next->reg_prev = r->reg_prev;
    r->reg_prev = nullptr;
    r->link = nullptr;
    r->release_resident();  // the registry's reference; may free the task
}

TimerHandle Loop::call_at_ns(int64_t deadline, detail::TimerCallbackBase* cb) {
    if (closed_) {
        cb->drop();
        throw Error("call_later/call_at on a closed loop");
    }
    cb->loop = this;
    cb->deadline = deadline;
    ++run_since_poll_;
    wheel_->insert(cb);
    return TimerHandle(cb);
}

void Loop::enter() {
    if (closed_) throw Error("the loop is closed");
    if (tl_current && tl_current != this) throw Error("another loop is running on this thread");
    tl_current = this;
    ++run_depth_;
}

void Loop::leave() noexcept {
    if (--run_depth_ == 0) tl_current = nullptr;
}

void Loop::run_forever() {
    enter();
    ScopeExit on_exit{[this] { leave(); }};
    while (!stopping_) run_once();
    stopping_ = false;
}

void Loop::run_until_done(detail::Resident* t) {
    enter();
    t->hold_resident();
    ScopeExit on_exit{[this, t] {
        leave();
        t->release_resident();
    }};
    while (!t->resident_done()) {
        if (stopping_) {
            stopping_ = false;
            throw Error("the loop was stopped before the task completed");
        }
        run_once();
    }
}

void Loop::run_once() {
    if (ready_.empty()) {
        poll(true);
    } else if (run_since_poll_ >= kPollEvery) {
        poll(false);
    }
    run_ready_batch();
}

void Loop::poll(bool may_block) {
    run_since_poll_ = 0;
    int64_t next_deadline = INT64_MAX;
    int64_t timeout = poll_timeout(may_block, next_deadline);
    detail::PollEvent events[kMaxEvents];
    int n = wait_for_io(timeout, next_deadline, events);
    bool woken = dispatch_io(events, n);
    drain_inbox(woken);
    expire_timers();
}

// How long the poller may block, in ns (-1: no timer, block until I/O; 0: do not block);
// next_deadline receives the earliest timer's deadline when blocking is allowed.
int64_t Loop::poll_timeout(bool may_block, int64_t& next_deadline) const {
    if (!may_block || stopping_ || wheel_->has_expired()) return 0;
    next_deadline = wheel_->next_deadline();
    if (next_deadline == INT64_MAX) return -1;
    int64_t now = now_ns();
    return next_deadline > now ? next_deadline - now : 0;
}

int Loop::wait_for_io(int64_t timeout, int64_t next_deadline, detail::PollEvent* events) {
    int n;
    if (timeout != 0 && clock_ && external_.load(std::memory_order_relaxed) == 0) {
        // Manual clock: look for I/O without blocking; when there is none, jump the clock to
        // the next timer rather than wait for it in real time.
        n = poller_->wait(0, events, kMaxEvents);
        if (n == 0 && next_deadline != INT64_MAX &&
            clock_->jump_to(time_point(duration(next_deadline)))) {
            return 0;
        }
        if (n == 0) n = poller_->wait(timeout, events, kMaxEvents);
    } else {
        if (timeout != 0 && external_.load(std::memory_order_relaxed) > 0 &&
            wakeup_arrives_soon(wake_pending_)) {
            timeout = 0;
        }
        n = poller_->wait(timeout, events, kMaxEvents);
    }
    if (n < 0) {
        // The loop cannot go on without its poller (Redis's ae does the same).
        report("poller wait failed: errno " + std::to_string(-n));
        std::abort();
    }
    return n;
}

// Returns whether the wake-up fd was among the events (the inbox must then be drained).
bool Loop::dispatch_io(const detail::PollEvent* events, int n) {
    bool woken = false;
    for (int i = 0; i < n; ++i) {
        woken |= events[i].watcher == &wakeup_;
        events[i].watcher->on_ready(events[i].watcher, events[i].events);
    }
    return woken;
}

void Loop::expire_timers() {
    wheel_->advance(now_ns());
    while (detail::TimerNode* t = wheel_->pop_expired()) t->fire(t);
}

void Loop::run_ready_batch() {
    size_t n = ready_.size();
    run_since_poll_ += n;
    while (n-- > 0 && !ready_.empty()) {
        std::coroutine_handle<> h;
        detail::CallbackNode* cb;
        ready_.pop(h, cb);
        if (h) {
            detail::drive(h);
        } else {
            try {
                cb->run();
            } catch (...) {
                report("exception in callback", std::current_exception());
            }
        }
    }
}

ThreadPool& Loop::default_executor() {
    if (closed_) throw Error("run_in_executor on a closed loop");
    if (!default_pool_) default_pool_ = std::make_unique<ThreadPool>();
    return *default_pool_;
}

void Loop::drop_ready() noexcept {
    while (!ready_.empty()) {
        std::coroutine_handle<> h;
        detail::CallbackNode* cb;
        ready_.pop(h, cb);
        if (cb) cb->drop();
    }
}

void Loop::wait_for_external_work() noexcept {
    // Jobs still running on worker threads point at this loop and come back through the inbox:
    // release their nodes here, on the loop thread, before the loop goes away. Each one that
    // comes back has written the wake-up fd (or found a wake-up pending), so blocking is safe.
    for (;;) {
        drain_inbox(true);
        drop_ready();
        if (external_.load(std::memory_order_relaxed) == 0) return;
        // Whatever else is ready is dispatched as in any poll phase (watchers only record it),
        // so a level-triggered fd cannot keep this wait from blocking.
        detail::PollEvent events[kMaxEvents];
        dispatch_io(events, wait_for_io(-1, INT64_MAX, events));
    }
}

size_t Loop::pending_tasks() const noexcept {
    size_t n = 0;
    // Streams and servers are residents too (the loop closes them), but no pending work.
    for (detail::Resident* r = residents_; r; r = r->reg_next()) n += !r->resident_done();
    return n;
}

void Loop::shutdown() noexcept {
    if (closed_) return;
    try {
        enter();
        ScopeExit on_exit{[this] { leave(); }};
        for (detail::Resident* r = residents_; r; r = r->reg_next()) r->cancel_resident();
        // Each cancelled task may await further cleanup; run until the registry is empty.
        while (residents_) run_once();
    } catch (...) {
        report("while cancelling the remaining tasks", std::current_exception());
    }
    close();
}

void Loop::close() {
    if (closed_) return;
    if (run_depth_ > 0) throw Error("cannot close a running loop");
    // Pending tasks first, while the wheel and poller still exist for their awaiters'
    // destructors to unlink from. The registry keeps each task alive until released below.
    // The ready queue goes before the registry: it may still point at a task's start step.
    for (detail::Resident* r = residents_; r; r = r->reg_next()) r->abandon_resident();
    drop_ready();
    while (residents_) unregister_resident(residents_);
    wait_for_external_work();
    default_pool_.reset();  // idle by now: joining its workers does not block
    {
        std::lock_guard<std::mutex> g(inbox_mu_);
        closed_ = true;
        while (detail::CallbackNode* cb = inbox_head_) {
            inbox_head_ = cb->link;
            cb->drop();
        }
        inbox_tail_ = nullptr;
    }
    // Timers still armed: call_later callbacks are the loop's to release; nodes of awaiters in
    // frames that outlive the loop are merely unlinked.
    wheel_->advance(INT64_MAX);
    while (detail::TimerNode* t = wheel_->pop_expired()) {
        if (detail::TimerCallbackBase::owns(t)) {
            auto* cb = static_cast<detail::TimerCallbackBase*>(t);
            cb->cancelled = true;
            cb->drop();
        }
    }
    signals_.reset();  // restores the signals' dispositions
    poller_.reset();
}

}  // namespace corio
