// Readiness notification over the kernel's facility: one small interface, one file per backend
// (poller_epoll.cpp, poller_kqueue.cpp), chosen at build time as Redis's ae does: no dispatch
// at run time. Layer 1: depends on nothing in corio but the portable event bits.
#pragma once

#include <cstdint>

#include "corio/detail/io_watcher.hpp"

namespace corio::detail {

struct PollEvent {
    IoWatcher* watcher;
    uint32_t events;  // IoEvents readiness bits
};

class Poller {
public:
    Poller();  // throws std::system_error when the kernel object cannot be created
    ~Poller();
    Poller(const Poller&) = delete;
    Poller& operator=(const Poller&) = delete;

    // Each returns 0 or -errno. The watcher pointer comes back in events until removed.
    int add(IoWatcher* w, uint32_t interest);
    int modify(IoWatcher* w, uint32_t interest);
    int remove(IoWatcher* w);

    // Waits at most timeout_ns (< 0: no limit, 0: do not block) and fills up to max events.
    // Returns the count (0 on timeout or EINTR) or -errno.
    int wait(int64_t timeout_ns, PollEvent* out, int max);

private:
    int fd_ = -1;
};

}  // namespace corio::detail
