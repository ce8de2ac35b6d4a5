// A self-pipe: an fd that becomes readable when another thread (or a signal handler) writes to
// it. The epoll and poll backends wake their loop with one (kqueue uses EVFILT_USER where it
// has it), and each loop's signal slot has one. Layer 1 platform code: an eventfd where the
// system has it (one descriptor for both ends), a non-blocking pipe elsewhere.
#pragma once

namespace corio::detail {

// Invariant: read_fd and write_fd are both open or both -1 (the same descriptor for an eventfd).
struct WakeupFd {
    int read_fd = -1;
    int write_fd = -1;

    WakeupFd() = default;
    WakeupFd(const WakeupFd&) = delete;
    WakeupFd& operator=(const WakeupFd&) = delete;
    ~WakeupFd() { close(); }

    void open();  // non-blocking, close-on-exec; throws std::system_error
    void close() noexcept;
    // Makes read_fd readable; async-signal-safe. A full pipe or a saturated counter means a
    // wake-up is pending already, so EAGAIN is not an error.
    void signal() const noexcept;
    // Consumes every pending wake-up, so that the fd stops being readable.
    void drain() const noexcept;
};

}  // namespace corio::detail
