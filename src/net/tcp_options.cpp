// TCP socket options with a path per system, chosen at build time (see tcp_options.hpp).
// Layer 5 platform code.
#include "tcp_options.hpp"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace corio::detail {

namespace {

int set_int(int fd, int level, int name, int value) noexcept {
    return ::setsockopt(fd, level, name, &value, sizeof value) == 0 ? 0 : -errno;
}

}  // namespace

int set_nodelay(int fd, bool on) noexcept {
    return set_int(fd, IPPROTO_TCP, TCP_NODELAY, on ? 1 : 0);
}

int set_reuse_port(int fd) noexcept {
#if defined(SO_REUSEPORT_LB)
    return set_int(fd, SOL_SOCKET, SO_REUSEPORT_LB, 1);
#elif defined(SO_REUSEPORT)
    return set_int(fd, SOL_SOCKET, SO_REUSEPORT, 1);
#else
    (void)fd;
    return -ENOPROTOOPT;
#endif
}

int set_keepalive(int fd, int idle_s, int interval_s, int count) noexcept {
    int rc = set_int(fd, SOL_SOCKET, SO_KEEPALIVE, 1);
#if defined(TCP_KEEPIDLE)
    if (rc == 0) rc = set_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, idle_s);
#elif defined(TCP_KEEPALIVE)
    if (rc == 0) rc = set_int(fd, IPPROTO_TCP, TCP_KEEPALIVE, idle_s);
#else
    (void)idle_s;
#endif
#if defined(TCP_KEEPINTVL) && defined(TCP_KEEPCNT)
    if (rc == 0) rc = set_int(fd, IPPROTO_TCP, TCP_KEEPINTVL, interval_s);
    if (rc == 0) rc = set_int(fd, IPPROTO_TCP, TCP_KEEPCNT, count);
#else
    (void)interval_s;
    (void)count;
#endif
    return rc;
}

}  // namespace corio::detail
