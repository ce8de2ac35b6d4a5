// corio::Condition: waiting, re-acquiring and notifying (see condition.hpp). Layer 4.
#include "corio/condition.hpp"

#include <exception>

#include "corio/error.hpp"

namespace corio {

class Condition::NotifyAwaiter : detail::WaitNode {
public:
    explicit NotifyAwaiter(Condition* c) noexcept : cond_(c) {}
    ~NotifyAwaiter() {
        if (woken()) cond_->waiters_.wake_one();  // notified, destroyed before resuming: pass it on
    }
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<detail::CoroPromise<void>> h) {
        suspend_in(cond_->waiters_, h);
    }
    void await_resume() {
        if (take_woken() && cancel_due()) cond_->waiters_.wake_one();  // pass it on, then throw
        finish_wait();
    }

private:
    Condition* cond_;
};

void Condition::check_locked(const char* what) const {
    if (!lock_->locked()) throw InvalidStateError(std::string(what) + " without the lock held");
}

Coro<void> Condition::wait(Lock::Holder& held) {
    if (!held || !lock_->owns(held)) {
        throw InvalidStateError("Condition.wait needs a holder of the condition's lock");
    }
    NotifyAwaiter notified(this);
    held.release();
    std::exception_ptr cancelled;
    try {
        co_await notified;
    } catch (const CancelledError&) {
        cancelled = std::current_exception();
    }
    Semaphore::AcquireAwaiter again(&lock_->sem_, /*cancellable=*/false);
    held = co_await again;
    if (cancelled) std::rethrow_exception(cancelled);
}

void Condition::notify(size_t n) {
    check_locked("Condition.notify");
    while (n-- > 0 && waiters_.wake_one()) {
    }
}

void Condition::notify_all() {
    check_locked("Condition.notify_all");
    waiters_.wake_all();
}

}  // namespace corio
