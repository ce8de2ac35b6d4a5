// corio::run_coroutine_threadsafe: sync code on any thread hands a coroutine to a loop running
// on another one and gets a std::future for its result (asyncio.run_coroutine_threadsafe).
// Layer 4, over Loop::post_threadsafe (the same inbox as call_soon_threadsafe).
//
// The coroutine's frame, which holds a reference to its exception, is destroyed before the
// future is set, and the promise is released right after, so the loop thread keeps nothing of
// an exception it handed over; get() rethrows it with the type kept.
//
// Threads: run_coroutine_threadsafe may be called from any thread; the coroutine runs on the
// loop's thread.
#pragma once

#include <exception>
#include <future>
#include <type_traits>
#include <utility>

#include "corio/coro.hpp"
#include "corio/detail/loop_access.hpp"
#include "corio/detail/tsan.hpp"
#include "corio/error.hpp"
#include "corio/loop.hpp"
#include "corio/task.hpp"

namespace corio {

namespace detail {

// The promise side, in the relay's frame: if the frame is destroyed before a result was set
// (the loop closed with the task pending), the future says so instead of "broken promise".
template <class T>
class ThreadsafeResult {
public:
    explicit ThreadsafeResult(std::promise<T> p) : promise_(std::move(p)) {}
    // A moved-from result has nothing left to settle.
    ThreadsafeResult(ThreadsafeResult&& o) noexcept
        : promise_(std::move(o.promise_)), settled_(std::exchange(o.settled_, true)) {}
    ThreadsafeResult& operator=(ThreadsafeResult&&) = delete;
    ~ThreadsafeResult() {
        if (!settled_) fail("the loop closed before the coroutine finished");
    }
    template <class... V>
    void set_value(V&&... v) {
        settled_ = true;
        promise_.set_value(std::forward<V>(v)...);
    }
    void set_exception(std::exception_ptr e) {
        settled_ = true;
        std::promise<T> p(std::move(promise_));
        p.set_exception(std::move(e));
        // Once set, the future's thread may read the exception and drop its references before
        // we drop ours; if ours is the last, the free below is ordered by libstdc++'s hidden
        // reference count only (see detail/tsan.hpp).
        [[maybe_unused]] TsanIgnoreScope hidden_order;
        std::promise<T> release(std::move(p));
    }
    void fail(const char* why) { set_exception(std::make_exception_ptr(CancelledError(why))); }

private:
    std::promise<T> promise_;
    bool settled_ = false;
};

template <class T>
Coro<void> relay_to_future(Coro<T> coro, ThreadsafeResult<T> result) {
    std::exception_ptr error;
    bool cancelled = false;
    try {
        Coro<T> owned = std::move(coro);  // its frame dies before the hand-off, even on a throw
        if constexpr (std::is_void_v<T>) {
            co_await owned;
            result.set_value();
        } else {
            result.set_value(co_await owned);
        }
    } catch (const CancelledError&) {
        error = std::current_exception();
        cancelled = true;
    } catch (...) {
        error = std::current_exception();
    }
    if (error) result.set_exception(std::move(error));
    // The task ends cancelled too, with a fresh exception: the one handed to the future now
    // belongs to the future's thread.
    if (cancelled) throw CancelledError();
}

// Carries the coroutine through the inbox; becomes a task on the loop thread.
template <class T>
class ThreadsafeSubmit final : public CallbackNode {
public:
    ThreadsafeSubmit(Loop& loop, Coro<T> coro) : loop_(loop), coro_(std::move(coro)) {}
    std::future<T> future() { return promise_.get_future(); }

    void run() override {
        struct Free {
            ThreadsafeSubmit* self;
            ~Free() { delete self; }
        } free{this};
        loop_.create_task(
            relay_to_future(std::move(coro_), ThreadsafeResult<T>(std::move(promise_))));
    }
    void drop() override {
        ThreadsafeResult<T>(std::move(promise_)).fail("the loop closed before the coroutine ran");
        delete this;
    }

private:
    Loop& loop_;
    Coro<T> coro_;
    std::promise<T> promise_;
};

}  // namespace detail

// From any thread: schedules coro as a task on loop (which runs on another thread, or will)
// and returns a future for its value; get() rethrows its exception with the type kept, or
// CancelledError if the task was cancelled or the loop closed first. Do not wait on the
// future from the loop's own thread: the loop could never run the coroutine. Throws
// InvalidStateError for an empty Coro; nothing else (a closed loop shows in the future).
template <class T>
std::future<T> run_coroutine_threadsafe(Coro<T> coro, Loop& loop) {
    if (!coro.valid()) throw InvalidStateError("run_coroutine_threadsafe of an empty Coro");
    auto* submit = new detail::ThreadsafeSubmit<T>(loop, std::move(coro));
    std::future<T> f = submit->future();
    detail::LoopAccess::post_threadsafe(loop, submit);
    return f;
}

}  // namespace corio
