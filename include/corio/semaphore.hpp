// corio::Semaphore and corio::BoundedSemaphore: asyncio's, FIFO fair. Layer 4, over the wait
// list of detail/wait_list.hpp.
//
// Fairness by hand-off: release() with coroutines queued gives the permit straight to the
// oldest one instead of raising the count, so a later try_acquire() cannot barge past it.
// Invariant: waiters queued => value_ == 0. A waiter handed a permit whose task is cancelled
// before it resumes passes the permit on (to the next waiter, or back to the count).
//
// Threads: everything here runs on the thread of the one loop that uses the semaphore (it is
// not a thread semaphore). Throws: only what is noted below.
#pragma once

#include <coroutine>
#include <cstddef>
#include <optional>
#include <utility>

#include "corio/detail/wait_list.hpp"
#include "corio/error.hpp"

namespace corio {

class Semaphore {
public:
    // One permit, given back when destroyed or on release(); move-only. Never throws.
    class Holder {
    public:
        Holder() noexcept = default;
        explicit Holder(Semaphore* s) noexcept : s_(s) {}
        Holder(Holder&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
        Holder& operator=(Holder&& o) noexcept {
            if (this != &o) {
                release();
                s_ = std::exchange(o.s_, nullptr);
            }
            return *this;
        }
        Holder(const Holder&) = delete;
        Holder& operator=(const Holder&) = delete;
        ~Holder() { release(); }

        // Gives the permit back early; idempotent.
        void release() noexcept {
            if (s_) std::exchange(s_, nullptr)->give();
        }
        bool held() const noexcept { return s_ != nullptr; }
        explicit operator bool() const noexcept { return held(); }
        const Semaphore* semaphore() const noexcept { return s_; }

    private:
        friend class Condition;
        // Lets go of the permit without giving it back (it was borrowed from its real owner).
        void detach() noexcept { s_ = nullptr; }
        Semaphore* s_ = nullptr;
    };

    class AcquireAwaiter : detail::WaitNode {
    public:
        explicit AcquireAwaiter(Semaphore* s, bool cancellable = true) noexcept : sem_(s) {
            cancellable_ = cancellable;
        }
        AcquireAwaiter(AcquireAwaiter&&) noexcept = default;  // before it is awaited only
        ~AcquireAwaiter() {
            if (woken()) sem_->give();  // handed a permit, then destroyed before resuming
        }

        bool await_ready() noexcept { return sem_->take(); }
        template <class P>
        void await_suspend(std::coroutine_handle<P> h) {
            suspend_in(sem_->waiters_, h);
        }
        [[nodiscard]] Holder await_resume() {
            if (take_woken() && cancel_due()) sem_->give();  // pass the permit on, then throw
            finish_wait();
            return Holder(sem_);
        }

    private:
        Semaphore* sem_;
    };

    explicit Semaphore(size_t value = 1) noexcept : value_(value) {}
    Semaphore(const Semaphore&) = delete;
    Semaphore& operator=(const Semaphore&) = delete;

    // co_await sem.acquire() -> Holder. Does not suspend while a permit is free. Awaiting
    // throws CancelledError when the awaiting task is cancelled (no permit is kept).
    [[nodiscard]] AcquireAwaiter acquire() noexcept { return AcquireAwaiter(this); }
    // A permit now, or nullopt; never suspends.
    std::optional<Holder> try_acquire() noexcept {
        if (!take()) return std::nullopt;
        return Holder(this);
    }
    // Returns a permit acquired without a Holder (or whose Holder was released into nothing).
    // BoundedSemaphore throws InvalidStateError when this would exceed its initial value.
    void release() {
        if (bound_ && value_ >= bound_) {
            throw InvalidStateError("BoundedSemaphore released too many times");
        }
        give();
    }
    // Free permits; whether none is free; coroutines queued. Never throw.
    size_t value() const noexcept { return value_; }
    bool locked() const noexcept { return value_ == 0; }
    size_t waiters() const noexcept { return waiters_.size(); }

protected:
    Semaphore(size_t value, size_t bound) noexcept : value_(value), bound_(bound) {}

private:
    friend class Condition;
    bool take() noexcept {
        if (value_ == 0) return false;
        --value_;
        return true;
    }
    void give() noexcept {
        if (!waiters_.wake_one()) ++value_;
    }

    size_t value_;
    size_t bound_ = 0;  // 0: unbounded
    detail::WaitList waiters_;
};

// A Semaphore whose release() refuses to raise the count above its initial value.
class BoundedSemaphore : public Semaphore {
public:
    explicit BoundedSemaphore(size_t value = 1) noexcept : Semaphore(value, value) {}
};

}  // namespace corio
