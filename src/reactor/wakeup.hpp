// The wake-up fd other threads write to reach a loop (threadsafe.cpp). Layer 3 internals,
// platform code: an eventfd on Linux.
#pragma once

namespace corio::detail {

// A non-blocking, close-on-exec fd that becomes readable when written; throws std::system_error.
int open_wakeup_fd();

}  // namespace corio::detail
