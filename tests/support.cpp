// Helpers shared by the tests (see support.hpp).
#include "support.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <utility>

namespace corio_test {

std::string capture_stderr(const std::function<void()>& f) {
    char path[] = "/tmp/corio-stderr-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) std::abort();
    std::fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    try {
        f();
    } catch (...) {
        std::fflush(stderr);
        dup2(saved, 2);
        close(saved);
        close(fd);
        unlink(path);
        throw;
    }
    std::fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(fd);
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    unlink(path);
    return ss.str();
}

corio::Coro<int> sleep_or_clean_up(std::chrono::milliseconds d, std::chrono::milliseconds cleanup,
                                   std::vector<std::string>& log, std::string name) {
    std::exception_ptr cancelled;
    try {
        co_await corio::sleep(d);
    } catch (const corio::CancelledError&) {
        cancelled = std::current_exception();
    }
    if (!cancelled) {
        log.push_back(name + " finished");
        co_return 1;
    }
    co_await corio::sleep(cleanup);  // awaiting is not allowed in the handler itself
    log.push_back(name + " cleaned up");
    std::rethrow_exception(cancelled);
}

}  // namespace corio_test
