// A Stream through a Transport (TLS): received bytes go through it into the read buffer, its
// answers and the written data come out ciphertext in the write buffer, and the handshake
// that open_connection and the server run before handing the stream out. Layer 5: knows only
// corio/transport.hpp, never src/tls.
#include <errno.h>

#include "corio/detail/loop_access.hpp"
#include "socket.hpp"
#include "stream_core.hpp"
#include "stream_handshake.hpp"

namespace corio::detail {

void StreamCore::start_transport(std::unique_ptr<Transport> t) {
    transport_ = std::move(t);
    compact_write_buffer();
    try {
        transport_->start(wbuf_);
    } catch (...) {
        fail_transport();
        throw;
    }
    if (can_write()) flush();
}

long StreamCore::filter_received(const char* buf, long n) {
    if (n < 0) return n;
    try {
        if (n == 0) {
            // Not an end yet: only a clean one (close_notify first) is; end_of_input throws
            // otherwise, and the stream must then fail instead of looking complete.
            eof_ = false;
            transport_->end_of_input();
            eof_ = true;
            return 0;
        }
        compact_write_buffer();
        transport_->receive(std::string_view(buf, static_cast<size_t>(n)), rbuf_, wbuf_);
    } catch (...) {
        fail_transport();
        throw;
    }
    if (transport_->input_closed()) eof_ = true;  // bytes after close_notify are ignored
    if (pending() > 0 && can_write()) flush();
    return n;
}

void StreamCore::fail_transport() noexcept {
    if (!transport_error_) transport_error_ = std::current_exception();
    fail(EPROTO);
}

void StreamCore::close_transport() noexcept {
    if (!transport_ || error_ || fd < 0) return;
    compact_write_buffer();
    try {
        transport_->close(wbuf_);
    } catch (...) {
    }
    if (pending() > 0 && can_write()) flush();
}

Coro<void> handshake(CoreRef c, std::unique_ptr<Transport> t, std::chrono::nanoseconds timeout,
                     std::string where) {
    StreamCore& s = *c;
    Loop& loop = *s.loop;
    int64_t deadline = timeout.count() > 0 ? LoopAccess::now_ns(loop) + timeout.count() : 0;
    s.start_transport(std::move(t));
    while (!s.transport()->ready()) {
        s.check_error();
        if (s.reading_done())
            throw ConnectionError("the connection to " + where + " ended during the handshake");
        if (s.can_read() && s.fill() != -EAGAIN) continue;
        IoWait wait(&s, kReadable, deadline);
        if (!co_await wait) {
            throw TimeoutError("TLS handshake with " + where + " timed out after " +
                               std::to_string(timeout.count() / 1000000) + " ms");
        }
    }
}

}  // namespace corio::detail
