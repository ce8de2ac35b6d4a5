// The self-pipe behind cross-thread and signal wake-ups (see wakeup.hpp). Layer 1 platform code.
#include "wakeup.hpp"

#include <errno.h>
#include <unistd.h>

#include <cstdint>
#include <system_error>

#include "fd_flags.hpp"
#include "platform.hpp"

#if CORIO_HAVE_EVENTFD
#include <sys/eventfd.h>
#endif

namespace corio::detail {

void WakeupFd::open() {
#if CORIO_HAVE_EVENTFD
    int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
    read_fd = write_fd = fd;
#else
    int fds[2];
    int rc = open_pipe(fds);
    if (rc < 0) throw std::system_error(-rc, std::generic_category(), "pipe");
    read_fd = fds[0];
    write_fd = fds[1];
#endif
}

void WakeupFd::close() noexcept {
    if (write_fd >= 0 && write_fd != read_fd) ::close(write_fd);
    if (read_fd >= 0) ::close(read_fd);
    read_fd = write_fd = -1;
}

void WakeupFd::signal() const noexcept {
    // An eventfd takes exactly 8 bytes; a pipe takes whatever it is given.
    uint64_t one = 1;
    ssize_t r;
    do {
        r = ::write(write_fd, &one, sizeof one);
    } while (r < 0 && errno == EINTR);
}

void WakeupFd::drain() const noexcept {
    // An eventfd is reset by one read; a pipe may hold several wake-ups' bytes.
    uint64_t buf[8];
    for (;;) {
        ssize_t r = ::read(read_fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR) continue;
        if (r < static_cast<ssize_t>(sizeof buf) || read_fd == write_fd) return;
    }
}

}  // namespace corio::detail
