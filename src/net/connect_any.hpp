// The connect loop behind open_connection, over addresses already resolved: each address in
// turn under one deadline. Layer 5 internals; separate so tests can give it several addresses.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "corio/connect.hpp"

namespace corio::detail {

// host and port only name the target in error messages.
Coro<Stream> connect_any(std::vector<SocketAddress> addresses, std::string host, uint16_t port,
                         ConnectOptions options);

}  // namespace corio::detail
