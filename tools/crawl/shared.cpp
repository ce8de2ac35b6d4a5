// The run-wide counters and the "crawl is over" decision (see shared.hpp).
#include "shared.hpp"

#include "engine.hpp"

namespace crawl {

bool Shared::claim_line() {
    if (halted.load()) return false;
    uint64_t n = lines.fetch_add(1) + 1;
    if (options.max_pages && n > options.max_pages) {
        lines.fetch_sub(1);
        halted.store(true);
        stop_all();
        return false;
    }
    return true;
}

void Shared::settle() {
    if (outstanding.fetch_sub(1) == 1) maybe_finish();
}

void Shared::end_input() {
    input_done.store(true);
    maybe_finish();
}

void Shared::stop_all() {
    stop_input.store(true);
    backlog_cv.notify_all();
    for (Engine* e : engines) e->post_stop();
}

// Both the last settle() and end_input() call this; seq_cst loads make sure at least one of
// them sees the other's write, and `finished` makes the posting happen once.
void Shared::maybe_finish() {
    if (!input_done.load() || outstanding.load() != 0) return;
    if (finished.exchange(true)) return;
    for (Engine* e : engines) e->post_finish();
}

}  // namespace crawl
