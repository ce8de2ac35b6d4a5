// Helpers shared by the tests: capturing stderr around a block, small coroutines that several
// test files need, and a gate for threads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
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

// A one-shot gate: threads wait() until some thread open()s it. wait() gives up after a
// generous bound and returns false, so a broken test fails instead of hanging CI.
class Gate {
public:
    void open() {
        std::lock_guard<std::mutex> g(mu_);
        open_ = true;
        cv_.notify_all();
    }
    bool wait(std::chrono::milliseconds bound = std::chrono::seconds(20)) {
        std::unique_lock<std::mutex> lk(mu_);
        return cv_.wait_for(lk, bound, [&] { return open_; });
    }
    bool is_open() {
        std::lock_guard<std::mutex> g(mu_);
        return open_;
    }

private:
    std::mutex mu_;
    std::condition_variable cv_;
    bool open_ = false;
};

}  // namespace corio_test
