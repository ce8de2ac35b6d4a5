// The seed's last row: what one switch costs, between two coroutines on one loop and between
// two OS threads handing a turn back and forth.
#pragma once

namespace demo {

// Nanoseconds per switch, medians of a few rounds.
double coroutine_switch_ns();
double thread_switch_ns();

}  // namespace demo
