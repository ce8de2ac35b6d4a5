// Coro<T>: the lazy coroutine type, corio's `async def`. Layer 4.
// Order as in cppcoro: promise base, promise, awaiter, public type. A Coro runs when awaited
// (inline, no scheduling) or when wrapped in a Task. Control moves through the trampoline in
// detail/trampoline.hpp, so deep synchronous chains never grow the stack.
//
// Threads: a Coro may be made and moved on any thread (run_coroutine_threadsafe takes one), but
// it runs, and is awaited, on one loop's thread.
#pragma once

#include <coroutine>
#include <exception>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "corio/detail/frame_pool.hpp"
#include "corio/detail/task_core.hpp"
#include "corio/detail/trampoline.hpp"
#include "corio/error.hpp"

namespace corio {

template <class T = void>
class Coro;

namespace detail {

struct FinalAwaiter {
    bool await_ready() const noexcept { return false; }
    template <class P>
    void await_suspend(std::coroutine_handle<P> h) noexcept {
        PromiseBase& p = h.promise();
        if (p.continuation) {
            transfer(p.continuation);
        } else if (p.task) {
            p.task->root_finished(p);
        }
    }
    void await_resume() const noexcept {}
};

struct CoroPromiseBase : PromiseBase {
    static void* operator new(size_t n) { return frame_alloc(n); }
    static void operator delete(void* p, size_t n) noexcept { frame_free(p, n); }
    std::suspend_always initial_suspend() const noexcept { return {}; }
    FinalAwaiter final_suspend() const noexcept { return {}; }
    void unhandled_exception() noexcept { exception = std::current_exception(); }
};

template <class T>
struct CoroPromise final : CoroPromiseBase {
    std::optional<T> value;

    Coro<T> get_return_object() noexcept;
    template <class U = T>
    requires std::is_convertible_v<U&&, T>
    void return_value(U&& v) noexcept(std::is_nothrow_constructible_v<T, U&&>) {
        value.emplace(std::forward<U>(v));
    }
    // Moves the result out, or rethrows what the body threw.
    T take() {
        if (exception) std::rethrow_exception(exception);
        return std::move(*value);
    }
    const T& peek() const {
        if (exception) std::rethrow_exception(exception);
        return *value;
    }
};

// A reference result (Coro<T&>), as cppcoro's task<T&>: the promise keeps the address, so the
// awaiter gets the very object the body returned. That object must outlive the await.
template <class T>
struct CoroPromise<T&> final : CoroPromiseBase {
    T* value = nullptr;

    Coro<T&> get_return_object() noexcept;
    void return_value(T& v) noexcept { value = std::addressof(v); }
    T& take() {
        if (exception) std::rethrow_exception(exception);
        return *value;
    }
    T& peek() const {
        if (exception) std::rethrow_exception(exception);
        return *value;
    }
};

template <>
struct CoroPromise<void> final : CoroPromiseBase {
    Coro<void> get_return_object() noexcept;
    void return_void() noexcept {}
    void take() {
        if (exception) std::rethrow_exception(exception);
    }
    void peek() const {
        if (exception) std::rethrow_exception(exception);
    }
};

}  // namespace detail

// Move-only owner of a not-yet-run (or finished) coroutine frame; destroying it frees the frame.
// Making, moving and destroying one never throw (std::bad_alloc for the frame aside).
template <class T>
class [[nodiscard]] Coro {
public:
    using promise_type = detail::CoroPromise<T>;
    using value_type = T;
    using handle_type = std::coroutine_handle<promise_type>;

    Coro() noexcept = default;
    explicit Coro(handle_type h) noexcept : h_(h) {}
    Coro(Coro&& o) noexcept : h_(std::exchange(o.h_, {})) {}
    Coro& operator=(Coro&& o) noexcept {
        if (this != &o) {
            if (h_) h_.destroy();
            h_ = std::exchange(o.h_, {});
        }
        return *this;
    }
    Coro(const Coro&) = delete;
    Coro& operator=(const Coro&) = delete;
    ~Coro() {
        if (h_) h_.destroy();
    }

    bool valid() const noexcept { return static_cast<bool>(h_); }
    explicit operator bool() const noexcept { return valid(); }

    struct Awaiter {
        handle_type h;
        bool await_ready() const noexcept { return false; }
        template <class P>
        void await_suspend(std::coroutine_handle<P> parent) noexcept {
            promise_type& p = h.promise();
            p.continuation = parent;
            p.task = detail::task_of(parent);
            detail::transfer(h);
        }
        T await_resume() { return h.promise().take(); }
    };

    // Runs the coroutine inline in the awaiting one and returns its value or rethrows what its
    // body threw. Awaiting an empty or already-run Coro throws InvalidStateError.
    Awaiter operator co_await() && {
        check_runnable();
        return Awaiter{h_};
    }
    Awaiter operator co_await() & {
        check_runnable();
        return Awaiter{h_};
    }

    // For Task and the combinators: hands over ownership of the frame. Never throw.
    handle_type release() noexcept { return std::exchange(h_, {}); }
    handle_type handle() const noexcept { return h_; }

private:
    void check_runnable() const {
        if (!h_) throw InvalidStateError("awaiting an empty Coro");
        if (h_.done()) throw InvalidStateError("a Coro runs once; this one already ran");
    }
    handle_type h_{};
};

namespace detail {
template <class T>
Coro<T> CoroPromise<T>::get_return_object() noexcept {
    return Coro<T>(std::coroutine_handle<CoroPromise<T>>::from_promise(*this));
}
template <class T>
Coro<T&> CoroPromise<T&>::get_return_object() noexcept {
    return Coro<T&>(std::coroutine_handle<CoroPromise<T&>>::from_promise(*this));
}
inline Coro<void> CoroPromise<void>::get_return_object() noexcept {
    return Coro<void>(std::coroutine_handle<CoroPromise<void>>::from_promise(*this));
}
}  // namespace detail

}  // namespace corio
