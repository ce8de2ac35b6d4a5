// corio::run: asyncio.run. A fresh loop, run the coroutine to completion, cancel what is left,
// close. Layer 4.
#pragma once

#include <utility>

#include "corio/coro.hpp"
#include "corio/loop.hpp"
#include "corio/task.hpp"

namespace corio {

template <class T>
T run(Coro<T> main, LoopOptions options = {}) {
    Loop loop(options);
    struct Shutdown {
        Loop& loop;
        ~Shutdown() { loop.shutdown(); }
    } shutdown{loop};
    return loop.run_until_complete(std::move(main));
}

}  // namespace corio
