// Keeping SIGPIPE away from socket writes: a write to a socket whose peer is gone must fail with
// EPIPE (a ConnectionResetError), not kill the process. Layer 5 platform code, chosen at build
// time (reactor/platform.hpp): MSG_NOSIGNAL on each send (Linux, the BSDs), or SO_NOSIGPIPE
// once on each socket (macOS).
#pragma once

#include <sys/socket.h>

#include "reactor/platform.hpp"

namespace corio::detail {

#if CORIO_HAVE_SO_NOSIGPIPE
inline constexpr int kSendFlags = 0;
// Sets SO_NOSIGPIPE on a new socket; 0 or -errno.
int forbid_sigpipe(int fd) noexcept;
#else
inline constexpr int kSendFlags = MSG_NOSIGNAL;
inline int forbid_sigpipe(int) noexcept { return 0; }
#endif

}  // namespace corio::detail
