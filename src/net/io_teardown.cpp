// What happens to streams and servers when their loop shuts down or closes first: both are
// residents of the loop (detail/resident.hpp), so the loop closes them and a handle that
// outlives it behaves as closed (reads see end of stream, writes throw ConnectionError, close()
// does nothing) instead of touching a loop that is gone. Layer 5.
//
// The hooks run while the loop walks its registry, so none of them may take its own entry out
// of it: shutdown's cancel queues the close for the next iteration, and close's abandon leaves
// the unregistering to the loop.
#include "corio/detail/loop_access.hpp"
#include "server_core.hpp"
#include "stream_core.hpp"

namespace corio::detail {

int StreamCore::watch(Loop& l, int fd_in) {
    int rc = attach(l, fd_in, &StreamCore::on_events);
    if (rc < 0) return rc;
    hold_resident();
    registered_ = true;
    LoopAccess::register_resident(l, this);
    return 0;
}

void StreamCore::leave_registry() noexcept {
    if (registered_ && loop) LoopAccess::unregister_resident(*loop, this);  // -> release_resident
}

void StreamCore::release_resident() noexcept {
    registered_ = false;
    release();
}

void StreamCore::cancel_resident() {
    if (close_queued_ || closing_) return;
    close_queued_ = true;
    add_ref();
    LoopAccess::schedule(*loop, static_cast<CallbackNode*>(this));
}

void StreamCore::run() {
    CoreRef queued(this);
    release();  // the queue's reference now lives in `queued`
    close_queued_ = false;
    close();
}

void StreamCore::abandon_resident() {
    // No waking: the tasks that wait on this stream are being destroyed by the same close.
    closing_ = true;
    eof_pending_ = false;
    drop_write_buffer();
    detach_and_close();
    loop = nullptr;
}

void ServerCore::leave_registry() noexcept {
    if (self_ && loop_) LoopAccess::unregister_resident(*loop_, this);  // -> release_resident
}

void ServerCore::release_resident() noexcept {
    std::shared_ptr<ServerCore> last = std::move(self_);  // may free the core on return
}

void ServerCore::cancel_resident() {
    if (queued_ || closed_) return;
    queued_ = shared_from_this();
    LoopAccess::schedule(*loop_, static_cast<CallbackNode*>(this));
}

void ServerCore::run() {
    std::shared_ptr<ServerCore> keep = std::move(queued_);
    close();
}

void ServerCore::drop() { std::shared_ptr<ServerCore> keep = std::move(queued_); }

void ServerCore::abandon_resident() {
    closed_ = true;
    for (auto& l : listeners_) {
        l->acceptor = Task<void>();  // the loop is destroying the accept task itself
        l->io.detach_and_close();
        l->io.loop = nullptr;
    }
    loop_ = nullptr;
}

}  // namespace corio::detail
