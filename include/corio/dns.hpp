// Name resolution: getaddrinfo off the loop thread (as asyncio does), skipped for numeric
// addresses and for `localhost`. Layer 5: open_connection and start_server resolve through it.
//
// Threads: resolve is awaited on a loop's thread. getaddrinfo itself runs on one of a few
// resolver threads shared by the process, not on the loop's pool: a lookup cannot be
// interrupted, and no loop waits for one it gave up on when it closes.
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
// "::1") are parsed at once without a thread; so are `localhost` and names ending in
// `.localhost` (any case, with or without the final dot), which are always ::1 then 127.0.0.1
// (RFC 6761 section 6.3), whatever /etc/hosts says. Other names go to a resolver thread.
// passive with an empty host yields the wildcard addresses (for a server). Throws DnsError;
// CancelledError when cancelled (the lookup then finishes on its thread, unused).
Coro<std::vector<SocketAddress>> resolve(std::string host, uint16_t port,
                                         Family family = Family::Any, bool passive = false);

}  // namespace corio
