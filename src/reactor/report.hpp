// Which loops are alive on this thread, so that a diagnostic from something that may outlive
// its loop (a task handle, a task group) reaches the loop's reporter only while it exists.
// Layer 3 internals (report.cpp).
#pragma once

namespace corio {
class Loop;
}

namespace corio::detail {

void loop_born(Loop* l);
void loop_gone(Loop* l) noexcept;

}  // namespace corio::detail
