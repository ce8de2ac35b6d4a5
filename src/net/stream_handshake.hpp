// The transport handshake run on a fresh StreamCore by open_connection and by the server before
// the handler sees the stream. Layer 5 internals.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "corio/coro.hpp"
#include "corio/transport.hpp"
#include "stream_core.hpp"

namespace corio::detail {

// Installs t on the stream and runs its handshake; TimeoutError after timeout (0: none), the
// transport's error (tls::CertificateError...) on failure.
Coro<void> handshake(CoreRef c, std::unique_ptr<Transport> t, std::chrono::nanoseconds timeout,
                     std::string where);

}  // namespace corio::detail
