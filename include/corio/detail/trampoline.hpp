// Resuming coroutines without growing the stack. Layer 3: the loop resumes its ready handles
// through it; coro.hpp and task.hpp (layer 4) resume awaiting ones.
//
// g++ 12 at -O0/-O1 does not turn a handle returned from await_suspend into a tail call, so
// pure symmetric transfer overflows the stack after ~175,000 synchronous completions. Instead,
// every transfer of control goes through transfer(): inside a running drive() it only parks the
// handle in the thread's single "next" slot and returns, and drive() resumes it in a loop. The
// stack stays flat whatever the optimisation level, at the cost of one thread-local store.
//
// Invariants: `next` is empty whenever drive() is entered or left (drive saves and restores it,
// so drives nest: a nested run_until_complete, or a raw resume() from user code); a handle
// placed in `next` is resumed exactly once, by the innermost drive().
#pragma once

#include <coroutine>

namespace corio::detail {

struct Trampoline {
    std::coroutine_handle<> next{};
    int depth = 0;
};

inline thread_local Trampoline tl_trampoline{};

// Resumes h, then whatever it transfers to, until the chain suspends for real.
inline void drive(std::coroutine_handle<> h) {
    Trampoline& t = tl_trampoline;
    std::coroutine_handle<> saved = t.next;
    t.next = nullptr;
    ++t.depth;
    for (;;) {
        h.resume();
        h = t.next;
        if (!h) break;
        t.next = nullptr;
    }
    --t.depth;
    t.next = saved;
}

// Hands control to h from inside an await_suspend. When the slot is taken (a coroutine was
// resumed by hand inside a drive and parked its successor), drive a nested chain instead of
// overwriting it: no handle is ever lost.
inline void transfer(std::coroutine_handle<> h) {
    Trampoline& t = tl_trampoline;
    if (t.depth > 0 && !t.next) {
        t.next = h;
        return;
    }
    drive(h);
}

}  // namespace corio::detail
