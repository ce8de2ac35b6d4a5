// corio::run: asyncio.run. A fresh loop, run the coroutine to completion, cancel what is left,
// close; SIGINT/SIGTERM cancel the main task gracefully. Layer 4.
#pragma once

#include <utility>

#include "corio/coro.hpp"
#include "corio/detail/run_interrupts.hpp"
#include "corio/error.hpp"
#include "corio/loop.hpp"
#include "corio/task.hpp"

namespace corio {

// On the main thread, while SIGINT and SIGTERM have their default disposition, the first of
// them cancels main (its cleanup runs, leftovers are cancelled, the loop closes), then the
// process exits with a message, killed by that signal as it would have been; a second one
// exits at once. See detail/run_interrupts.hpp.
// Call from a thread with no running loop (else it throws corio::Error); returns main's value
// or rethrows what main threw (CancelledError if it was cancelled), plus what Loop's
// constructor and create_task throw.
template <class T>
T run(Coro<T> main, LoopOptions options = {}) {
    if (Loop::running()) throw Error("corio::run cannot be called from a running event loop");
    Loop loop(options);
    Task<T> task = loop.create_task(std::move(main));
    detail::RunInterrupts interrupts(loop, task.state_ptr());
    struct Shutdown {
        Loop& loop;
        detail::RunInterrupts& interrupts;
        ~Shutdown() {
            loop.shutdown();
            interrupts.finish();
        }
    } shutdown{loop, interrupts};
    try {
        return loop.run_until_complete(task);
    } catch (const CancelledError&) {
        // Here and not (only) in Shutdown's destructor: with no handler further up, as in a
        // plain main(), the C++ runtime calls terminate without unwinding, and no destructor
        // would run at all.
        loop.shutdown();
        interrupts.finish();
        throw;
    }
}

}  // namespace corio
