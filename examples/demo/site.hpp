// The demo's local web site: corio's own http::serve, in a process of its own, answering
// /page/N (N < pages) after a simulated latency, as a remote site would.
#pragma once

#include <chrono>
#include <cstdint>

namespace demo {

struct Site {
    int pid = -1;
    uint16_t port = 0;
};

// Forks the site server. Call it before this process starts any thread.
Site start_site(int pages, std::chrono::milliseconds latency);

}  // namespace demo
