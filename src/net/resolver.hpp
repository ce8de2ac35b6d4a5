// Name lookups off the loop thread: getaddrinfo on a small process-wide set of resolver
// threads that no loop ever waits for. Layer 5 internals behind resolve() (dns.cpp).
//
// Why not the loop's thread pool: getaddrinfo cannot be interrupted, and a loop joins its pool
// when it closes, so a lookup that hangs (a DNS server that never answers) would hold the
// loop's close, and with it the program, for as long as the resolver retries. Here a waiter
// that gives up (deadline, cancel, the loop closing) leaves at once; its lookup finishes on
// its thread and the result is dropped there, never posted to a loop that may be gone.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "corio/coro.hpp"
#include "corio/dns.hpp"

namespace corio::detail {

struct LookupRequest {
    std::string host;
    uint16_t port = 0;
    Family family = Family::Any;
    bool passive = false;
};

// What a lookup brings back: plain data, no exception crosses threads.
struct LookupResult {
    int code = 0;       // getaddrinfo's return value
    int sys_errno = 0;  // errno when code is EAI_SYSTEM
    std::vector<SocketAddress> addresses;
};

// getaddrinfo itself (dns.cpp); blocks.
LookupResult lookup_blocking(const LookupRequest& r);

// Runs r on a resolver thread; nullopt when deadline_ns (loop clock, 0: none) passed first.
// Throws CancelledError when the awaiting task is cancelled; std::system_error when no
// resolver thread can be started. While the lookup is in flight the loop counts it as outside
// work, so a ManualClock does not jump past it.
Coro<std::optional<LookupResult>> lookup_off_loop(LookupRequest r, int64_t deadline_ns);

// Test hook: every later lookup calls fn instead of getaddrinfo (nullptr: getaddrinfo again).
// Any thread.
using LookupFunction = LookupResult (*)(const LookupRequest&);
void set_lookup_function(LookupFunction fn) noexcept;

// The addresses of host:port with their lookup bounded by deadline_ns (0: none); resolve() is
// this without a deadline. TimeoutError (naming host, port and `timeout_ns`) when it passes.
Coro<std::vector<SocketAddress>> resolve_until(std::string host, uint16_t port, Family family,
                                               bool passive, int64_t deadline_ns,
                                               int64_t timeout_ns);

}  // namespace corio::detail
