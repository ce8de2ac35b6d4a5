// Helpers shared by the tests: capturing stderr around a block, a gate for threads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>

namespace corio_test {

// Runs f with file descriptor 2 redirected to a temporary file and returns what was written.
std::string capture_stderr(const std::function<void()>& f);

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
