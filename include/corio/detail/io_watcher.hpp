// How a file descriptor is registered with the loop's poller. Nothing outside the poller backend
// names epoll or kqueue: interest and readiness use these portable bits.
#pragma once

#include <cstdint>

namespace corio::detail {

enum IoEvents : uint32_t {
    kReadable = 1u << 0,
    kWritable = 1u << 1,
    kError = 1u << 2,   // readiness only: the fd has a pending error
    kHangup = 1u << 3,  // readiness only: the peer closed (both ways, or its write side)
    kEdge = 1u << 4,    // interest only: report transitions, not levels (register once)
};

// Embedded in whatever owns the fd (a stream, the wake-up fd, a loop's signal self-pipe).
// on_ready runs inside the loop's poll phase and must only record readiness and wake waiters
// (schedule handles): no user code runs there, so a callback can never free a watcher whose
// event is still pending in the same batch.
//
// `disarmed` belongs to the poll(2) backend, which has no edges of its own: it holds the kEdge
// directions already reported and not acted on since (src/reactor/edge_emulation.hpp). Other
// backends leave it at zero.
struct IoWatcher {
    int fd = -1;
    uint32_t interest = 0;
    void (*on_ready)(IoWatcher*, uint32_t events) = nullptr;
    uint32_t disarmed = 0;
};

}  // namespace corio::detail
