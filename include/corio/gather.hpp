// corio::gather and corio::gather_settled: asyncio.gather, without its trap. Layer 4, over
// detail/all_done.hpp.
//
// Both take Coro<T>, Task<T> and any other awaitable (event.wait(), stream.read(n), ...) by
// value, mixed freely (or one std::vector of either), run them as concurrent tasks, and return
// results in argument order whatever the completion order; void results become std::monostate.
// Coros start when the gather is awaited (a gather is a Coro, lazy like any other). Cancelling the
// gather cancels every child and waits for their cleanup before CancelledError surfaces.
//  - gather: at the first exception (CancelledError included), cancels the other children,
//    waits for them all, then rethrows that first exception. No child outlives the call.
//  - gather_settled: never throws a child's exception; each result is an Outcome<T>.
// Results are moved out of tasks the gather made itself and copied from Task<T> arguments
// (the caller may still hold them), unless T cannot be copied.
//
// Threads: made and awaited on a loop's thread (Coro arguments become tasks on the running
// loop). Throws: see gather and gather_settled above; making the child tasks can also throw
// corio::Error (no running loop) or InvalidStateError (an empty Coro or Task).
#pragma once

#include <array>
#include <cstddef>
#include <exception>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "corio/coro.hpp"
#include "corio/detail/all_done.hpp"
#include "corio/detail/awaitable.hpp"
#include "corio/outcome.hpp"
#include "corio/task.hpp"

namespace corio {

namespace detail {

template <class A>
struct GatherArg : std::false_type {};
// Any other awaitable: run by a task of its own (see detail/awaitable.hpp).
template <class A>
requires(storable_awaitable<A> && !is_coro<A>::value && !is_task<A>::value) struct GatherArg<A>
    : std::true_type {
    using type = await_result_t<A>;
    static constexpr bool owned = true;
};
template <class T>
struct GatherArg<Coro<T>> : std::true_type {
    using type = T;
    static constexpr bool owned = true;
};
template <class T>
struct GatherArg<Task<T>> : std::true_type {
    using type = T;
    static constexpr bool owned = false;
};
template <class A>
concept gatherable = GatherArg<A>::value;
template <class A>
using awaited_t = typename GatherArg<A>::type;

template <class T>
using gathered_t = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

template <class T>
Task<T> as_task(Coro<T>&& c) {
    return create_task(std::move(c));
}
template <class T>
Task<T> as_task(Task<T>&& t) {
    return std::move(t);
}
template <class A>
auto as_task(A&& a) {
    return create_task(as_coro(std::move(a)));
}

template <class... A>
constexpr bool check_gatherable() {
    (check_awaitable<A>(), ...);
    return (gatherable<A> && ...);
}

// The value of a child known to have finished with one.
template <class T>
gathered_t<T> take_value(Task<T>& t, bool owned) {
    if constexpr (std::is_void_v<T>) {
        return {};
    } else if constexpr (std::is_copy_constructible_v<T>) {
        auto& v = *t.state_ptr()->promise().value;
        return owned ? T(std::move(v)) : T(v);
    } else {
        return std::move(*t.state_ptr()->promise().value);
    }
}

template <class T>
Outcome<T> take_outcome(Task<T>& t, bool owned) {
    if (std::exception_ptr e = t.state_ptr()->take_exception()) return Outcome<T>(e);
    if constexpr (std::is_void_v<T>) {
        return Outcome<void>();
    } else {
        return Outcome<T>(take_value(t, owned));
    }
}

template <bool Settled, class T>
using gather_result_t = std::conditional_t<Settled, Outcome<T>, gathered_t<T>>;

template <bool Settled, class T>
gather_result_t<Settled, T> take_result(Task<T>& t, bool owned) {
    if constexpr (Settled) {
        return take_outcome(t, owned);
    } else {
        return take_value(t, owned);
    }
}

constexpr AllDone::Options gather_options(bool settled) {
    return {.cancel_on_failure = !settled, .cancelled_fails = true};
}

template <bool Settled, class... A>
Coro<std::tuple<gather_result_t<Settled, awaited_t<A>>...>> gather_tuple(A... args) {
    // Braced initialisation runs left to right: children start in argument order.
    std::tuple<Task<awaited_t<A>>...> tasks{as_task(std::move(args))...};
    std::array<AllDone::Node, sizeof...(A)> nodes{};
    AllDone all(gather_options(Settled));
    std::apply(
        [&](auto&... t) {
            size_t i = 0;
            (all.watch(t.state_ptr(), &nodes[i++]), ...);
        },
        tasks);
    co_await all;
    if (!Settled && all.failed()) std::rethrow_exception(all.first_failure());
    co_return std::apply(
        [](auto&... t) {
            return std::tuple<gather_result_t<Settled, awaited_t<A>>...>{
                take_result<Settled>(t, GatherArg<A>::owned)...};
        },
        tasks);
}

template <bool Settled, class A>
Coro<std::vector<gather_result_t<Settled, awaited_t<A>>>> gather_vector(std::vector<A> args) {
    using T = awaited_t<A>;
    std::vector<Task<T>> tasks;
    tasks.reserve(args.size());
    std::vector<AllDone::Node> nodes(args.size());
    AllDone all(gather_options(Settled));
    // Watched as soon as spawned, while the task's state is still in cache: a second pass
    // over 100,000 cold task states costs more than the rest of the gather.
    for (size_t i = 0; i < args.size(); ++i) {
        tasks.push_back(as_task(std::move(args[i])));
        all.watch(tasks[i].state_ptr(), &nodes[i]);
    }
    args.clear();
    co_await all;
    if (!Settled && all.failed()) std::rethrow_exception(all.first_failure());
    std::vector<gather_result_t<Settled, T>> out;
    out.reserve(tasks.size());
    for (Task<T>& t : tasks) out.push_back(take_result<Settled>(t, GatherArg<A>::owned));
    co_return out;
}

}  // namespace detail

// gather(a, b, c) -> Coro<std::tuple<A, B, C>>; see the top of this file.
template <class... A>
auto gather(A... args) {
    if constexpr (detail::check_gatherable<A...>()) {
        return detail::gather_tuple<false>(std::move(args)...);
    }
}
// gather(std::vector<Coro<T>>, std::vector<Task<T>> or a vector of another awaitable)
// -> Coro<std::vector<T>>.
template <class A>
auto gather(std::vector<A> args) {
    if constexpr (detail::check_gatherable<A>()) {
        return detail::gather_vector<false>(std::move(args));
    }
}

// gather_settled(a, b, c) -> Coro<std::tuple<Outcome<A>, Outcome<B>, Outcome<C>>>.
template <class... A>
auto gather_settled(A... args) {
    if constexpr (detail::check_gatherable<A...>()) {
        return detail::gather_tuple<true>(std::move(args)...);
    }
}
// gather_settled(std::vector<...>) -> Coro<std::vector<Outcome<T>>>.
template <class A>
auto gather_settled(std::vector<A> args) {
    if constexpr (detail::check_gatherable<A>()) {
        return detail::gather_vector<true>(std::move(args));
    }
}

}  // namespace corio
