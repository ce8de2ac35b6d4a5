// Registering sockets with the loop and recording their readiness (see io_source.hpp).
// Layer 5 internals.
#include "io_source.hpp"

#include "corio/detail/loop_access.hpp"
#include "socket.hpp"

namespace corio::detail {

int IoSource::attach(Loop& l, int fd_in, void (*on_ready_fn)(IoWatcher*, uint32_t)) {
    loop = &l;
    fd = fd_in;
    on_ready = on_ready_fn;
    return LoopAccess::watch(l, this, kEdge | kReadable | kWritable);
}

void IoSource::detach_and_close() noexcept {
    if (fd < 0) return;
    // Unregister before closing: were the socket still referenced elsewhere (a fork between
    // fork() and exec()), closing alone would leave it in the poller, pointing at freed memory.
    if (loop) detail::LoopAccess::unwatch(*loop, this);
    close_fd(fd);
    fd = -1;
}

void IoSource::on_ready_default(IoWatcher* w, uint32_t events) {
    auto* self = static_cast<IoSource*>(w);
    self->ready |= events;
    self->wake(events);
}

}  // namespace corio::detail
