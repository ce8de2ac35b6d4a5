// Thin wrappers over the BSD socket calls used by streams, connect and the server, and the one
// place where an errno becomes an exception of the corio::Error family. Layer 5 internals.
// Wrappers return a value >= 0 or -errno (libuv's convention) and retry EINTR themselves.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace corio::detail {

// A non-blocking, close-on-exec TCP socket of the given family that never raises SIGPIPE, or
// -errno (socket_open.cpp).
int tcp_socket(int family) noexcept;
int sys_connect(int fd, const sockaddr* sa, socklen_t len) noexcept;
// Non-blocking, close-on-exec, no SIGPIPE; the peer's address goes to peer when not null
// (socket_open.cpp).
int sys_accept(int listen_fd, sockaddr_storage* peer = nullptr) noexcept;
long sys_recv(int fd, char* buf, size_t len) noexcept;
long sys_send(int fd, const char* buf, size_t len) noexcept;  // never SIGPIPE (nosigpipe.hpp)
int socket_error(int fd) noexcept;                            // SO_ERROR as a positive errno
int set_int_option(int fd, int level, int name, int value) noexcept;
void close_fd(int fd) noexcept;

// "host:port", "[v6]:port"; empty when the call fails (closed or unconnected socket).
std::string format_address(const sockaddr* sa);
std::string peer_name(int fd);
std::string sock_name(int fd);

// Throws the exception for err (a positive errno) in `what`, e.g. "recv from 127.0.0.1:80":
// ECONNRESET and EPIPE -> ConnectionResetError, ECONNREFUSED -> ConnectionRefusedError,
// ETIMEDOUT -> TimeoutError, anything else -> ConnectionError carrying the code.
[[noreturn]] void throw_net_error(int err, std::string_view what);

}  // namespace corio::detail
