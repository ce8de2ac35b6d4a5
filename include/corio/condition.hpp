// corio::Condition: asyncio.Condition over a corio::Lock (its own, or one it is given). Layer 4.
//
// wait(holder) gives the lock up through the caller's holder, sleeps until notified, and takes
// the lock back into the same holder before it returns or throws, whatever happened: the
// re-acquire cannot be cancelled (a cancel that arrives then lands at the next suspension).
// A waiter notified and then cancelled before it resumes passes its notification on to the
// next waiter, so notify(1) is never lost to a cancellation.
//
// Threads: everything here runs on the thread of the one loop that uses the condition.
// Throws: as noted; the waits also throw CancelledError when the awaiting task is cancelled
// (after the lock is taken back).
#pragma once

#include <coroutine>
#include <cstddef>
#include <optional>

#include "corio/coro.hpp"
#include "corio/detail/wait_list.hpp"
#include "corio/lock.hpp"

namespace corio {

class Condition {
public:
    Condition() noexcept : lock_(&own_) {}
    explicit Condition(Lock& lock) noexcept : lock_(&lock) {}
    Condition(const Condition&) = delete;
    Condition& operator=(const Condition&) = delete;

    // The lock's verbs, so `auto held = co_await cond.acquire();` works as `async with cond`.
    // They throw what Lock's do.
    [[nodiscard]] Semaphore::AcquireAwaiter acquire() noexcept { return lock_->acquire(); }
    std::optional<Lock::Holder> try_acquire() noexcept { return lock_->try_acquire(); }
    void release() { lock_->release(); }
    bool locked() const noexcept { return lock_->locked(); }
    Lock& lock() noexcept { return *lock_; }

    // Releases the lock held by `held`, waits for notify(), re-acquires into `held`.
    // InvalidStateError unless `held` holds this condition's lock.
    Coro<void> wait(Lock::Holder& held);
    // Waits until pred() is true, checking it first and after each wake-up. The lock must be
    // held (by `held`, or by the caller in some other way for the one-argument form), else
    // InvalidStateError; also what pred throws.
    template <class Pred>
    Coro<void> wait_for(Lock::Holder& held, Pred pred) {
        while (!pred()) co_await wait(held);
    }
    template <class Pred>
    Coro<void> wait_for(Pred pred);

    // Wakes up to n waiters (oldest first); the lock must be held, else InvalidStateError.
    // notify_all wakes them all, on the same terms. waiters() never throws.
    void notify(size_t n = 1);
    void notify_all();
    size_t waiters() const noexcept { return waiters_.size(); }

private:
    class NotifyAwaiter;
    void check_locked(const char* what) const;

    Lock own_;
    Lock* lock_;
    detail::WaitList waiters_;
};

template <class Pred>
Coro<void> Condition::wait_for(Pred pred) {
    check_locked("Condition.wait_for");
    // The caller holds the lock without handing us its holder: borrow the hold for wait(), and
    // give it back un-released on every way out.
    struct Borrowed {
        Lock::Holder held;
        ~Borrowed() { held.detach(); }
    } b{Lock::Holder(&lock_->sem_)};
    while (!pred()) co_await wait(b.held);
}

}  // namespace corio
