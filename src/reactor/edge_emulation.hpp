// Edge triggering over a level-triggered backend (poll(2)), the way mio's poll selector does it:
// once the backend has reported a direction of a kEdge watcher it stops asking for it
// (IoWatcher::disarmed) until the fd's owner acts on that direction again. The owner's socket
// calls (recv, send, accept: src/net/socket.cpp) say so here with the fd alone, so a
// process-wide table maps fds to their edge watchers. Layer 1.
//
// Why re-arm on every operation and not only on EAGAIN: a stream treats a short read as "empty"
// and parks without a second recv; the re-arm after that read is what lets poll see the next
// byte. An operation that left readiness behind costs one extra report, never a spin: each
// report needs an operation before the next.
//
// Invariants: table[fd] is the watcher a poll backend registered with kEdge for fd, or null; a
// watcher leaves the table before its fd is closed (IoSource unwatches first) and when its
// poller is destroyed. epoll and kqueue register nothing, so for them touched() is one load.
#pragma once

#include <atomic>
#include <cstdint>

#include "corio/detail/io_watcher.hpp"

namespace corio::detail {

class EdgeTable {
public:
    // False when fd is beyond the table (then the watcher stays level-triggered: correct, but
    // an idle writable socket wakes every poll) or memory ran out.
    static bool track(IoWatcher* w) noexcept;
    static void untrack(IoWatcher* w) noexcept;

    // The owner of fd acted on `direction` (kReadable or kWritable): report it again.
    static void touched(int fd, uint32_t direction) noexcept {
        if (tracked_.load(std::memory_order_relaxed) != 0) touched_slow(fd, direction);
    }

private:
    static void touched_slow(int fd, uint32_t direction) noexcept;
    static std::atomic<long> tracked_;  // watchers in the table, all threads
};

}  // namespace corio::detail
