// Making sockets: socket(2) and accept(2) giving descriptors that are non-blocking,
// close-on-exec and free of SIGPIPE. Layer 5 platform code: the flags go into the call where the
// system takes them (SOCK_NONBLOCK | SOCK_CLOEXEC, accept4), else fcntl(2) follows it (macOS).
#include <errno.h>
#include <unistd.h>

#include "nosigpipe.hpp"
#include "reactor/edge_emulation.hpp"
#include "reactor/fd_flags.hpp"
#include "reactor/platform.hpp"
#include "socket.hpp"

namespace corio::detail {

namespace {

// The fallbacks' second half: fd is closed on failure.
int finish_socket(int fd) noexcept {
    int rc = 0;
#if !CORIO_HAVE_SOCK_FLAGS
    rc = set_nonblock_cloexec(fd);
#endif
    if (rc == 0) rc = forbid_sigpipe(fd);
    if (rc < 0) {
        ::close(fd);
        return rc;
    }
    return fd;
}

}  // namespace

#if CORIO_HAVE_SO_NOSIGPIPE
int forbid_sigpipe(int fd) noexcept {
    int one = 1;
    return ::setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one) == 0 ? 0 : -errno;
}
#endif

int tcp_socket(int family) noexcept {
#if CORIO_HAVE_SOCK_FLAGS
    int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
#else
    int fd = ::socket(family, SOCK_STREAM, 0);
#endif
    return fd < 0 ? -errno : finish_socket(fd);
}

int sys_accept(int listen_fd, sockaddr_storage* peer) noexcept {
    EdgeTable::touched(listen_fd, kReadable);
    for (;;) {
        socklen_t len = sizeof(sockaddr_storage);
        auto* sa = reinterpret_cast<sockaddr*>(peer);
#if CORIO_HAVE_SOCK_FLAGS
        int fd = ::accept4(listen_fd, sa, peer ? &len : nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
#else
        int fd = ::accept(listen_fd, sa, peer ? &len : nullptr);
#endif
        if (fd >= 0) return finish_socket(fd);
        if (errno != EINTR) return -errno;
    }
}

}  // namespace corio::detail
