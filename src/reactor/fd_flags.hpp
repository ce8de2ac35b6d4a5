// Descriptor flags set after the fact, for systems whose calls cannot create descriptors
// non-blocking and close-on-exec at once (macOS: pipe, socket, accept). Layer 1 platform code.
#pragma once

namespace corio::detail {

// O_NONBLOCK and FD_CLOEXEC on fd through fcntl(2); 0 or -errno.
int set_nonblock_cloexec(int fd) noexcept;

// A pipe whose two ends are non-blocking and close-on-exec; 0 or -errno (nothing left open).
int open_pipe(int fds[2]) noexcept;

}  // namespace corio::detail
