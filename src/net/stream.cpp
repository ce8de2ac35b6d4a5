// Stream: the write side (buffering, background flushing, drain), half-close, close with
// linger, abort, and the handle itself. Layer 5. The read side is in stream_read.cpp.
//
// Writing: write() sends at once when nothing is queued and the socket is writable (no copy),
// and queues the rest. Queued data is flushed by on_ready when the socket becomes writable:
// a send() in the poll phase, never user code, so data goes out even if nobody drains (as
// asyncio's transport does). drain() is only the backpressure point.
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <utility>

#include "corio/detail/loop_access.hpp"
#include "corio/task.hpp"
#include "socket.hpp"
#include "stream_core.hpp"

namespace corio {

namespace detail {

void StreamCore::open(Loop& l, int fd_in, std::string peer, const StreamOptions& o,
                      bool registered) {
    peer_ = std::move(peer);
    close_timeout_ns_ = std::chrono::nanoseconds(o.close_timeout).count();
    if (o.nodelay) set_int_option(fd_in, IPPROTO_TCP, TCP_NODELAY, 1);
    if (registered) return;  // by watch(), before the connect completed
    int rc = watch(l, fd_in);
    if (rc < 0) {
        close_fd(fd_in);
        fd = -1;
        throw_net_error(-rc, "registering the connection to " + peer_);
    }
}

StreamCore::~StreamCore() {
    detach_and_close();
    closed_waiters_.wake_all();
}

void StreamCore::on_events(IoWatcher* w, uint32_t events) {
    auto* s = static_cast<StreamCore*>(static_cast<IoSource*>(w));
    s->ready |= events;
    if ((events & kCanWrite) && s->pending() > 0) s->flush();
    // A drain() waits for the buffer to fall to the low-water mark: no point waking it on
    // every writable edge before that.
    if (s->paused_ && !s->error_) events &= ~kCanWrite;
    s->wake(events);
}

void StreamCore::drop_write_buffer() noexcept {
    wpos_ = 0;
    if (wbuf_.capacity() > kKeepCapacity) {
        std::string().swap(wbuf_);
    } else {
        wbuf_.clear();
    }
}

void StreamCore::compact_write_buffer() noexcept {
    if (wpos_ > 0 && wpos_ == wbuf_.size()) {
        wbuf_.clear();
        wpos_ = 0;
    }
}

void StreamCore::fail(int err) noexcept {
    if (!error_) error_ = err;
    drop_write_buffer();
    paused_ = false;
    eof_pending_ = false;
}

void StreamCore::write(std::string_view data) {
    if (closing_ || fd < 0) throw ConnectionError("write on a closed stream to " + peer_);
    if (write_shut_) throw ConnectionError("write after write_eof on the stream to " + peer_);
    check_error();
    if (data.empty()) return;
    if (transport_) {
        compact_write_buffer();
        try {
            transport_->send(data, wbuf_);
        } catch (...) {
            fail_transport();
            throw;
        }
        if (can_write()) flush();
        if (pending() > high_) paused_ = true;
        return;
    }
    if (pending() == 0 && can_write()) {
        long n = sys_send(fd, data.data(), data.size());
        if (n >= 0 && static_cast<size_t>(n) == data.size()) return;
        if (n >= 0) {
            data.remove_prefix(static_cast<size_t>(n));
            ready &= ~kWritable;  // a short send: the socket buffer is full
        } else if (n == -EAGAIN || n == -EWOULDBLOCK) {
            ready &= ~kWritable;
        } else {
            fail(static_cast<int>(-n));
            throw_net_error(error_, "send to " + peer_);
        }
    }
    compact_write_buffer();
    wbuf_.append(data);
    if (pending() > high_) paused_ = true;
}

void StreamCore::flush() noexcept {
    while (pending() > 0 && fd >= 0) {
        long n = sys_send(fd, wbuf_.data() + wpos_, pending());
        if (n > 0) {
            wpos_ += static_cast<size_t>(n);
            if (pending() > 0) ready &= ~kWritable;  // short send: the socket buffer is full
            break;
        }
        if (n == -EAGAIN || n == -EWOULDBLOCK) {
            ready &= ~kWritable;
            break;
        }
        fail(static_cast<int>(n < 0 ? -n : EIO));
        return;
    }
    if (pending() == 0) {
        drop_write_buffer();
        if (eof_pending_ && fd >= 0) {
            eof_pending_ = false;
            ::shutdown(fd, SHUT_WR);
        }
    } else if (wpos_ > kKeepCapacity && wpos_ >= wbuf_.size() / 2) {
        // Keep the queue from growing without bound while its front is being sent.
        wbuf_.erase(0, wpos_);
        wpos_ = 0;
    }
    if (paused_ && pending() <= low_) paused_ = false;
}

void StreamCore::write_eof() {
    if (closing_ || fd < 0 || write_shut_) return;
    check_error();
    write_shut_ = true;
    close_transport();
    if (pending() > 0) {
        eof_pending_ = true;
    } else {
        ::shutdown(fd, SHUT_WR);
    }
}

void StreamCore::set_limits(size_t high, size_t low) {
    high_ = high;
    low_ = low <= high ? low : high;
    if (pending() > high_) {
        paused_ = true;
    } else if (pending() <= low_ && paused_) {
        paused_ = false;
        wake(kCanWrite);
    }
}

void StreamCore::finish_close() noexcept {
    detach_and_close();
    closed_waiters_.wake_all();
    leave_registry();
}

namespace {

// Sends what close() left queued, then closes; gives up (with a reset) after close_timeout.
Coro<void> flush_then_close(CoreRef c, int64_t deadline) {
    StreamCore& s = *c;
    struct Closer {
        StreamCore& s;
        ~Closer() { s.finish_close(); }
    } closer{s};
    while (s.pending() > 0 && !s.error() && !s.closed()) {
        if (s.can_write()) {
            s.flush();
            continue;
        }
        IoWait wait(&s, kWritable, deadline);
        if (!co_await wait) {
            s.abort();
            co_return;
        }
    }
}

}  // namespace

void StreamCore::close() {
    if (closing_) return;
    if (!write_shut_) close_transport();
    closing_ = true;
    // Parked reads return what is buffered then end of stream; a parked drain returns.
    wake(kCanRead | kCanWrite);
    if (pending() > 0 && !error_ && fd >= 0 && loop && !loop->is_closed()) {
        start_linger();
    } else {
        finish_close();
    }
}

void StreamCore::start_linger() {
    int64_t deadline =
        close_timeout_ns_ > 0 ? detail::LoopAccess::now_ns(*loop) + close_timeout_ns_ : 0;
    try {
        loop->create_task(flush_then_close(CoreRef(this), deadline), "stream close");
    } catch (...) {
        finish_close();
    }
}

void StreamCore::abort() noexcept {
    closing_ = true;
    if (fd >= 0) {
        linger l{1, 0};  // close with RST instead of FIN
        ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
    fail(ECONNABORTED);
    wake(kCanRead | kCanWrite);
    finish_close();
}

namespace {

Coro<void> drain_impl(CoreRef c) {
    StreamCore& s = *c;
    for (;;) {
        s.check_error();
        if (!s.paused() || s.closing()) co_return;
        if (s.can_write()) {
            s.flush();
            continue;
        }
        if (s.writer) throw InvalidStateError("another coroutine is already draining this stream");
        IoWait wait(&s, kWritable);
        co_await wait;
    }
}

Coro<void> wait_closed_impl(CoreRef c) {
    while (!c->closed()) {
        WaitQueue::Awaiter wait(c->closed_waiters());
        co_await wait;
    }
}

}  // namespace

}  // namespace detail

Stream::Stream(Stream&& o) noexcept : core_(std::exchange(o.core_, nullptr)) {}

Stream& Stream::operator=(Stream&& o) noexcept {
    if (this != &o) {
        Stream old(std::move(*this));
        core_ = std::exchange(o.core_, nullptr);
    }
    return *this;
}

Stream::~Stream() {
    if (!core_) return;
    try {
        core_->close();
    } catch (...) {
        core_->abort();
    }
    core_->release();
}

detail::StreamCore& Stream::core() const {
    if (!core_) throw InvalidStateError("empty Stream");
    return *core_;
}

void Stream::write(std::string_view data) { core().write(data); }
Coro<void> Stream::drain() { return detail::drain_impl(detail::CoreRef(&core())); }
void Stream::write_eof() { core().write_eof(); }
size_t Stream::write_buffer_size() const { return core().pending(); }
void Stream::set_write_buffer_limits(size_t high, size_t low) { core().set_limits(high, low); }
void Stream::close() { core().close(); }
void Stream::abort() { core().abort(); }
bool Stream::is_closing() const { return core().closing(); }
Coro<void> Stream::wait_closed() { return detail::wait_closed_impl(detail::CoreRef(&core())); }
const Transport* Stream::transport() const { return core().transport(); }
std::string Stream::peer() const { return core().closed() ? std::string() : core().peer(); }
std::string Stream::local() const { return detail::sock_name(core().fd); }
int Stream::native_handle() const { return core().fd; }

}  // namespace corio
