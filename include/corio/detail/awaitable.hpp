// corio::Awaitable, corio::await_result_t and the adapter that runs any awaitable inside a Coro,
// so wait_for, timeout, shield, gather and create_task take what asyncio's take: a Coro, a Task,
// or whatever the library's awaitable calls return (a stream read, a condition wait, ...).
// Layer 4. check_awaitable() turns a wrong argument into one readable compile error, e.g.
//     corio::wait_for(42, 1s);
//     error: static assertion failed: corio: this argument is not awaitable: it needs
//            await_ready/await_suspend/await_resume or an operator co_await ...
#pragma once

#include <concepts>
#include <coroutine>
#include <type_traits>
#include <utility>

#include "corio/coro.hpp"

namespace corio {

template <class T>
class Task;

namespace detail {

template <class A>
concept member_co_await = requires(A&& a) {
    std::forward<A>(a).operator co_await();
};
template <class A>
concept free_co_await = requires(A&& a) {
    operator co_await(std::forward<A>(a));
};
template <class W>
concept awaiter = requires(W& w, std::coroutine_handle<> h) {
    { w.await_ready() } -> std::convertible_to<bool>;
    w.await_suspend(h);
    w.await_resume();
};

// What co_await applies await_ready/suspend/resume to; only named in unevaluated contexts.
template <class A>
decltype(auto) awaiter_of(A&& a) {
    if constexpr (member_co_await<A>) {
        return std::forward<A>(a).operator co_await();
    } else if constexpr (free_co_await<A>) {
        return operator co_await(std::forward<A>(a));
    } else {
        return std::forward<A>(a);
    }
}

template <class A>
struct is_coro : std::false_type {};
template <class T>
struct is_coro<Coro<T>> : std::true_type {};
template <class A>
struct is_task : std::false_type {};
template <class T>
struct is_task<Task<T>> : std::true_type {};

template <class A>
using awaiter_t = std::remove_reference_t<decltype(awaiter_of(std::declval<A>()))>;
template <class A>
using raw_result_t = decltype(std::declval<awaiter_t<A>&>().await_resume());

}  // namespace detail

// A: something `co_await a` accepts (awaited as the rvalue the combinators hold).
template <class A>
concept Awaitable = detail::awaiter<detail::awaiter_t<A>>;

// What `co_await a` gives; an rvalue reference result is taken by value.
template <Awaitable A>
using await_result_t =
    std::conditional_t<std::is_rvalue_reference_v<detail::raw_result_t<A>>,
                       std::remove_cvref_t<detail::raw_result_t<A>>, detail::raw_result_t<A>>;

namespace detail {

// An awaitable the combinators can keep until they run it: awaitable, and movable into a
// coroutine frame.
template <class A>
concept storable_awaitable =
    Awaitable<std::remove_cvref_t<A>> && std::is_constructible_v<std::remove_cvref_t<A>, A &&>&&
        std::is_move_constructible_v<std::remove_cvref_t<A>>;

template <class A>
constexpr bool check_awaitable() {
    using D = std::remove_cvref_t<A>;
    static_assert(Awaitable<D>,
                  "corio: this argument is not awaitable: it needs await_ready/await_suspend/"
                  "await_resume or an operator co_await (a Coro<T>, a Task<T>, stream.read(), "
                  "event.wait(), ...)");
    if constexpr (Awaitable<D>) {
        static_assert(!is_coro<D>::value || !std::is_lvalue_reference_v<A>,
                      "corio: a Coro is move-only and runs once: pass it as an rvalue "
                      "(a call's result, or std::move(c))");
        static_assert(std::is_move_constructible_v<D>,
                      "corio: this awaiter cannot be moved, so it cannot be kept in a coroutine "
                      "frame until it runs: co_await it inside a Coro of your own and pass that");
        static_assert(std::is_constructible_v<D, A&&>,
                      "corio: this awaitable cannot be copied: pass it as an rvalue (std::move)");
    }
    return storable_awaitable<A>;
}

// Runs the awaitable it owns inside a Coro: co_await a, then hand over its result.
template <class A>
Coro<await_result_t<A>> await_in_coro(A a) {
    co_return co_await std::move(a);
}

// A Coro as is; any other awaitable wrapped by await_in_coro. Call check_awaitable<A>() first.
template <class A>
auto as_coro(A&& a) {
    using D = std::remove_cvref_t<A>;
    if constexpr (is_coro<D>::value) {
        return D(std::forward<A>(a));
    } else {
        return await_in_coro<D>(D(std::forward<A>(a)));
    }
}

}  // namespace detail
}  // namespace corio
