// Helpers shared by the tests (see support.hpp).
#include "support.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

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

}  // namespace corio_test
