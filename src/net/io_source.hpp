// A socket's registration with the loop and the readiness it has seen (Tokio's ScheduledIo).
// Layer 5 plumbing over Loop::watch: names no poller backend.
//
// A socket is registered once, edge-triggered, for both directions. Operations try their
// syscall first and park an IoWait only after EAGAIN, so a busy socket costs no poller call per
// read or write. on_ready (poll phase) only records readiness and schedules the parked
// coroutines: no user code runs there.
//
// Invariants:
//  - A bit of `ready` is set by every edge the poller reports and cleared only by the code that
//    just saw EAGAIN (or a short transfer, which means the same), so no edge is ever lost.
//    kHangup and kError are never cleared: once the peer has finished or failed, reads (and for
//    kError writes) always go to the syscall, which reports it.
//  - At most one reader and one writer are parked; the source clears its slot before waking
//    one, and an IoWait clears its own slot on cancel, timeout and destruction.
#pragma once

#include <coroutine>
#include <cstdint>

#include "corio/detail/io_watcher.hpp"
#include "corio/detail/loop_access.hpp"
#include "corio/detail/park.hpp"
#include "corio/detail/task_core.hpp"
#include "corio/detail/timer_node.hpp"
#include "corio/loop.hpp"

namespace corio::detail {

class IoWait;

struct IoSource : IoWatcher {
    static constexpr uint32_t kCanRead = kReadable | kHangup | kError;
    static constexpr uint32_t kCanWrite = kWritable | kError;

    Loop* loop = nullptr;
    uint32_t ready = kReadable | kWritable;  // optimistic: the first operation tries its syscall
    IoWait* reader = nullptr;
    IoWait* writer = nullptr;

    // Registers fd (edge-triggered, both directions) with on_ready as its callback; -errno.
    int attach(Loop& l, int fd, void (*on_ready_fn)(IoWatcher*, uint32_t) = &on_ready_default);
    // Unregisters and closes the fd; wakes nothing. Idempotent.
    void detach_and_close() noexcept;

    bool can_read() const noexcept { return ready & kCanRead; }
    bool can_write() const noexcept { return ready & kCanWrite; }
    // Wakes the parked reader and/or writer that `events` concern.
    void wake(uint32_t events) noexcept;
    static void on_ready_default(IoWatcher* w, uint32_t events);
};

// Awaits readiness in one direction (kReadable or kWritable), with an optional deadline: a
// Park held in the source's reader or writer slot. await_resume returns false when the
// deadline passed first.
class IoWait : public Park {
public:
    IoWait(IoSource* src, uint32_t direction, int64_t deadline_ns = 0) noexcept
        : src_(src), direction_(direction), deadline_(deadline_ns) {
        on_leave = &IoWait::leave_slot;
    }
    ~IoWait() { leave_slot(this); }

    bool await_ready() const noexcept { return false; }
    template <class P>
    void await_suspend(std::coroutine_handle<P> h) {
        TaskCore* t = begin_wait(h);
        slot() = this;
        if (deadline_ > 0) arm(deadline_);
        park_on(t);
    }
    bool await_resume() {
        finish_wait();
        return !timed_out();
    }

private:
    IoWait*& slot() noexcept { return direction_ == kReadable ? src_->reader : src_->writer; }
    static void leave_slot(Park* p) noexcept {
        auto* self = static_cast<IoWait*>(p);
        if (self->slot() == self) self->slot() = nullptr;
    }

    IoSource* src_;
    uint32_t direction_;
    int64_t deadline_;
};

inline void IoSource::wake(uint32_t events) noexcept {
    if ((events & kCanRead) && reader) {
        IoWait* r = reader;
        reader = nullptr;
        r->wake();
    }
    if ((events & kCanWrite) && writer) {
        IoWait* w = writer;
        writer = nullptr;
        w->wake();
    }
}

}  // namespace corio::detail
