// Socket syscall wrappers (-errno style) and the errno-to-exception mapping (see socket.hpp).
// Layer 5 internals. Opening sockets is in socket_open.cpp; each recv and send tells the poll
// backend's edge emulation that its direction was acted on (reactor/edge_emulation.hpp).
#include "socket.hpp"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cstring>

#include "corio/error.hpp"
#include "nosigpipe.hpp"
#include "reactor/edge_emulation.hpp"

namespace corio::detail {

int sys_connect(int fd, const sockaddr* sa, socklen_t len) noexcept {
    // A connect interrupted by a signal goes on in the background: report it as in progress.
    if (::connect(fd, sa, len) == 0) return 0;
    return errno == EINTR ? -EINPROGRESS : -errno;
}

long sys_recv(int fd, char* buf, size_t len) noexcept {
    EdgeTable::touched(fd, kReadable);
    for (;;) {
        ssize_t n = ::recv(fd, buf, len, 0);
        if (n >= 0) return n;
        if (errno != EINTR) return -errno;
    }
}

long sys_send(int fd, const char* buf, size_t len) noexcept {
    EdgeTable::touched(fd, kWritable);
    for (;;) {
        ssize_t n = ::send(fd, buf, len, kSendFlags);
        if (n >= 0) return n;
        if (errno != EINTR) return -errno;
    }
}

int socket_error(int fd) noexcept {
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) return errno;
    return err;
}

int set_int_option(int fd, int level, int name, int value) noexcept {
    return ::setsockopt(fd, level, name, &value, sizeof value) == 0 ? 0 : -errno;
}

void close_fd(int fd) noexcept {
    // Linux closes the descriptor even when close() reports EINTR: never retry.
    if (fd >= 0) ::close(fd);
}

std::string format_address(const sockaddr* sa) {
    char host[INET6_ADDRSTRLEN] = {};
    if (sa->sa_family == AF_INET) {
        auto* in = reinterpret_cast<const sockaddr_in*>(sa);
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        return std::string(host) + ":" + std::to_string(ntohs(in->sin_port));
    }
    if (sa->sa_family == AF_INET6) {
        auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        return "[" + std::string(host) + "]:" + std::to_string(ntohs(in6->sin6_port));
    }
    return {};
}

std::string peer_name(int fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (fd < 0 || ::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) < 0) return {};
    return format_address(reinterpret_cast<sockaddr*>(&ss));
}

std::string sock_name(int fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (fd < 0 || ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) < 0) return {};
    return format_address(reinterpret_cast<sockaddr*>(&ss));
}

void throw_net_error(int err, std::string_view what) {
    std::string msg(what);
    msg += ": ";
    msg += std::strerror(err);
    switch (err) {
        case ECONNRESET:
        case EPIPE:
            throw ConnectionResetError(msg, err);
        case ECONNREFUSED:
            throw ConnectionRefusedError(msg, err);
        case ETIMEDOUT:
            throw TimeoutError(msg);
        default:
            throw ConnectionError(msg, err);
    }
}

}  // namespace corio::detail
