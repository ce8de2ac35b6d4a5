// Helpers shared by the tests: capturing stderr around a block, and small coroutines that
// several test files need.
#pragma once

#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "corio/coro.hpp"
#include "corio/error.hpp"
#include "corio/task.hpp"
#include "corio/time.hpp"

namespace corio_test {

// Runs f with file descriptor 2 redirected to a temporary file and returns what was written.
std::string capture_stderr(const std::function<void()>& f);

// Returns v after sleeping d.
inline corio::Coro<int> after(std::chrono::milliseconds d, int v) {
    co_await corio::sleep(d);
    co_return v;
}

// Sleeps d, logs "<name> finished" and returns 1. If cancelled, first cleans up for `cleanup`
// (awaiting, as real cleanup may), logs "<name> cleaned up" and rethrows the CancelledError.
corio::Coro<int> sleep_or_clean_up(std::chrono::milliseconds d, std::chrono::milliseconds cleanup,
                                   std::vector<std::string>& log, std::string name);

// Throws std::runtime_error(what) after sleeping d.
inline corio::Coro<void> fail_after(std::chrono::milliseconds d, std::string what) {
    co_await corio::sleep(d);
    throw std::runtime_error(what);
}

// How a task ended: "ok", or "cancelled" (other exceptions propagate).
template <class T>
corio::Coro<std::string> outcome(corio::Task<T> t) {
    try {
        co_await t;
    } catch (const corio::CancelledError&) {
        co_return "cancelled";
    }
    co_return "ok";
}

}  // namespace corio_test
