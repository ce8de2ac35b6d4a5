// fcntl(2) fallbacks for descriptor flags (see fd_flags.hpp). Layer 1 platform code.
#include "fd_flags.hpp"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

namespace corio::detail {

int set_nonblock_cloexec(int fd) noexcept {
    int fl = ::fcntl(fd, F_GETFL);
    if (fl < 0 || ::fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) return -errno;
    int fdfl = ::fcntl(fd, F_GETFD);
    if (fdfl < 0 || ::fcntl(fd, F_SETFD, fdfl | FD_CLOEXEC) < 0) return -errno;
    return 0;
}

int open_pipe(int fds[2]) noexcept {
    // pipe2 would close the exec race, but macOS lacks it; wake-up pipes are made when a loop
    // starts, not while another thread forks and execs in a hurry.
    if (::pipe(fds) != 0) return -errno;
    for (int i = 0; i < 2; ++i) {
        int rc = set_nonblock_cloexec(fds[i]);
        if (rc < 0) {
            ::close(fds[0]);
            ::close(fds[1]);
            return rc;
        }
    }
    return 0;
}

}  // namespace corio::detail
