// Name resolution: getaddrinfo on the default thread pool (as asyncio does), skipped for numeric
// addresses. Layer 5: open_connection and start_server resolve through it.
//
// Threads: resolve is awaited on a loop's thread (getaddrinfo itself runs on a pool worker).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <vector>

#include "corio/coro.hpp"
#include "corio/error.hpp"

namespace corio {

enum class Family : uint8_t { Any, V4, V6 };

// One resolved socket address (IPv4 or IPv6).
struct SocketAddress {
    sockaddr_storage storage{};
    socklen_t length = 0;

    const sockaddr* get() const noexcept { return reinterpret_cast<const sockaddr*>(&storage); }
    int family() const noexcept { return storage.ss_family; }
    uint16_t port() const noexcept;
    std::string to_string() const;  // "127.0.0.1:80", "[::1]:80"; any thread
};

// The addresses of host in getaddrinfo's order (RFC 6724), for TCP. Numeric hosts ("127.0.0.1",
// "::1") are parsed at once without a thread; names go to the thread pool. passive with an
// empty host yields the wildcard addresses (for a server). Throws DnsError; CancelledError
// when cancelled (the lookup then finishes on its worker, unused).
Coro<std::vector<SocketAddress>> resolve(std::string host, uint16_t port,
                                         Family family = Family::Any, bool passive = false);

}  // namespace corio
