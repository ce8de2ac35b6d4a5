// corio::wait_for and corio::timeout: asyncio.wait_for and asyncio.timeout. Layer 4, over
// detail/deadline.hpp (which explains how expiry is delivered).
//
// co_await wait_for(work, 3s) returns work's result, or, once 3 s have passed, cancels work,
// lets its cleanup run to the end and throws TimeoutError; if the work catches that cancel and
// returns a value or throws something else, that is what wait_for gives (asyncio 3.12). A
// result arriving in the same tick as the deadline is returned, not lost. The 3 s count from
// when wait_for is awaited, the work's own synchronous start included. Work that never waits
// (a Task already done, a Coro that completes without suspending) returns at once and arms no
// timer. work is a Coro, a Task, or any other awaitable (event.wait(), stream.read(n), ...),
// which then runs inside a Coro of its own. Nothing is allocated beyond wait_for's own frame
// (and that Coro's). Cancelling the awaiting task cancels the work too (it runs inline, in that
// task) and surfaces as CancelledError, never as TimeoutError. Deadlines nest: one that expires
// inside the cleanup of another leaves both throwing TimeoutError.
//
// Threads: everything here is awaited on a loop's thread. Throws: TimeoutError on expiry,
// CancelledError when the awaiting task is cancelled, else what the work throws.
#pragma once

#include <chrono>
#include <type_traits>
#include <utility>

#include "corio/clock.hpp"
#include "corio/coro.hpp"
#include "corio/detail/awaitable.hpp"
#include "corio/detail/deadline.hpp"
#include "corio/error.hpp"
#include "corio/task.hpp"

namespace corio {

// Runs work inline with a deadline.
template <class T, class Rep, class Period>
Coro<T> wait_for(Coro<T> work, std::chrono::duration<Rep, Period> timeout) {
    detail::CoroDeadline<T> deadline(work, detail::to_ns(timeout).count());
    co_return co_await deadline;
}

// On expiry the task is cancelled (and awaited until its cleanup is done), as asyncio does.
// Its result is copied out, since the caller may still hold the Task (moved if T cannot be).
// Throws InvalidStateError for an empty Task.
template <class T, class Rep, class Period>
Coro<T> wait_for(Task<T> task, std::chrono::duration<Rep, Period> timeout) {
    constexpr bool move = !std::is_void_v<T> && !std::is_copy_constructible_v<T>;
    if (!task.valid()) throw InvalidStateError("wait_for of an empty Task");
    detail::TaskDeadline<T, move> deadline(task.state_ptr(), detail::to_ns(timeout).count());
    co_return co_await deadline;
}

// Any other awaitable, run inline inside a Coro of its own (it must be movable; see
// detail/awaitable.hpp for the compile errors that say what was wrong).
template <class A, class Rep, class Period>
requires(!detail::is_coro<std::remove_cvref_t<A>>::value &&
         !detail::is_task<std::remove_cvref_t<A>>::
             value) auto wait_for(A&& work, std::chrono::duration<Rep, Period> timeout) {
    if constexpr (detail::check_awaitable<A>()) {
        return wait_for(detail::as_coro(std::forward<A>(work)), timeout);
    }
}

// timeout(d, work): the same as wait_for(work, d), in asyncio.timeout's argument order.
template <class Rep, class Period, class W>
auto timeout(std::chrono::duration<Rep, Period> d, W&& work) {
    return wait_for(std::forward<W>(work), d);
}

}  // namespace corio
