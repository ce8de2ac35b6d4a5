// The connect loop behind open_connection, over addresses already resolved: each address in
// turn under one deadline. Layer 5 internals; separate so tests can give it several addresses.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "corio/connect.hpp"
#include "corio/loop.hpp"

namespace corio::detail {

// When options.timeout ends, counted from now (0: no limit): a loop-clock deadline.
int64_t connect_deadline(Loop& loop, const ConnectOptions& options);

// host and port only name the target in error messages. deadline: loop clock, 0 for none,
// negative to start options.timeout now.
Coro<Stream> connect_any(std::vector<SocketAddress> addresses, std::string host, uint16_t port,
                         ConnectOptions options, int64_t deadline = -1);

}  // namespace corio::detail
