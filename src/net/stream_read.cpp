// The read side of Stream: read, read_exactly, read_until over the stream's buffer. Layer 5.
// Reads pull from the socket only when asked, so a slow consumer leaves data in the kernel and
// the peer's sends block: the read side needs no water marks. Every wait parks on readiness
// only and leaves received bytes in the buffer, so a cancelled read loses nothing.
#include <errno.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <stdexcept>

#include "socket.hpp"
#include "stream_core.hpp"

namespace corio {

IncompleteReadError::IncompleteReadError(std::string partial_in, std::optional<size_t> expected_in)
    : Error(std::to_string(partial_in.size()) + " bytes read on a total of " +
            (expected_in ? std::to_string(*expected_in) + " expected bytes"
                         : std::string("undefined expected bytes"))),
      partial(std::move(partial_in)),
      expected(expected_in) {}

namespace detail {

char* receive_scratch() {
    // Page-aligned: the kernel copies into it with `rep movsb`, which on AMD EPYC ran about
    // four times slower into malloc's 16-byte-aligned block (the 64 KiB echo benchmark spent
    // half its time in that copy).
    struct Free {
        void operator()(char* p) const { std::free(p); }
    };
    thread_local std::unique_ptr<char, Free> buf(
        static_cast<char*>(std::aligned_alloc(4096, kReceiveChunk)));
    return buf.get();
}

std::string StreamCore::take(size_t n) {
    size_t k = std::min(n, buffered());
    std::string out;
    if (rpos_ == 0 && k == rbuf_.size()) {
        out = std::move(rbuf_);
        rbuf_ = std::string();
        return out;
    }
    out.assign(rbuf_, rpos_, k);
    rpos_ += k;
    if (rpos_ == rbuf_.size()) {
        rpos_ = 0;
        if (rbuf_.capacity() > kKeepCapacity) {
            std::string().swap(rbuf_);
        } else {
            rbuf_.clear();
        }
    }
    return out;
}

long StreamCore::receive(char* buf, size_t len) {
    long n = sys_recv(fd, buf, len);
    if (n > 0) {
        // A short read emptied the socket: the next read waits for an edge instead of paying a
        // syscall for EAGAIN. Safe with edge triggering, since data arriving after the copy
        // raises a new edge; a FIN is kept in kHangup, which this does not clear.
        if (static_cast<size_t>(n) < len) ready &= ~kReadable;
        return n;
    }
    if (n == 0) {
        eof_ = true;
        return 0;
    }
    if (n == -EAGAIN || n == -EWOULDBLOCK) {
        ready &= ~kReadable;
        return -EAGAIN;
    }
    error_ = static_cast<int>(-n);
    throw_net_error(error_, "recv from " + peer_);
}

long StreamCore::fill() {
    if (rpos_ > 0 && rpos_ >= rbuf_.size() / 2) {
        rbuf_.erase(0, rpos_);
        rpos_ = 0;
    }
    char* buf = receive_scratch();
    long n = receive(buf, kReceiveChunk);
    if (transport_) return filter_received(buf, n);
    if (n > 0) rbuf_.append(buf, static_cast<size_t>(n));
    return n;
}

void StreamCore::check_error() const {
    if (transport_error_) std::rethrow_exception(transport_error_);
    if (error_) throw_net_error(error_, "connection to " + peer_);
}

void StreamCore::check_single_reader() const {
    if (reader) throw InvalidStateError("another coroutine is already reading from this stream");
}

namespace {

Coro<std::string> read_some(CoreRef c, size_t max) {
    StreamCore& s = *c;
    for (;;) {
        if (s.buffered() > 0) co_return s.take(max);
        if (max == 0 || s.reading_done()) co_return std::string();
        s.check_error();
        s.check_single_reader();
        if (s.can_read() && s.transport()) {
            long n = s.fill();  // the handshake's messages and partial records bring no data
            if (s.buffered() > 0) co_return s.take(max);
            if (n == 0 || s.reading_done()) co_return std::string();
            if (n != -EAGAIN) continue;
        } else if (s.can_read()) {
            // Straight from the socket to the result; only what exceeds max is buffered.
            char* buf = receive_scratch();
            long n = s.receive(buf, kReceiveChunk);
            if (n > 0) {
                size_t got = static_cast<size_t>(n);
                if (got > max) s.keep(buf + max, got - max);
                co_return std::string(buf, std::min(got, max));
            }
            if (n == 0) co_return std::string();
        }
        IoWait wait(&s, kReadable);
        co_await wait;
    }
}

Coro<std::string> read_exactly_impl(CoreRef c, size_t n) {
    StreamCore& s = *c;
    for (;;) {
        if (s.buffered() >= n) co_return s.take(n);
        if (s.reading_done()) throw IncompleteReadError(s.take(s.buffered()), n);
        s.check_error();
        s.check_single_reader();
        if (s.can_read() && s.fill() != -EAGAIN) continue;
        IoWait wait(&s, kReadable);
        co_await wait;
    }
}

Coro<std::string> read_until_impl(CoreRef c, std::string sep, size_t max) {
    StreamCore& s = *c;
    if (sep.empty()) throw std::invalid_argument("read_until: empty separator");
    size_t searched = 0;  // bytes of the buffer known not to start a separator
    for (;;) {
        std::string_view buf = s.buffered_view();
        size_t at = buf.find(sep, searched);
        if (at != std::string_view::npos) {
            size_t end = at + sep.size();
            if (end > max) {
                throw LimitOverrunError(
                    "read_until: separator found, but the chunk is longer "
                    "than the limit",
                    at);
            }
            co_return s.take(end);
        }
        if (buf.size() >= max) {
            throw LimitOverrunError(
                "read_until: separator not found, and the chunk exceeds the limit", buf.size());
        }
        searched = buf.size() >= sep.size() ? buf.size() - sep.size() + 1 : 0;
        if (s.reading_done()) throw IncompleteReadError(s.take(s.buffered()), std::nullopt);
        s.check_error();
        s.check_single_reader();
        if (s.can_read() && s.fill() != -EAGAIN) continue;
        IoWait wait(&s, kReadable);
        co_await wait;
    }
}

}  // namespace

}  // namespace detail

Coro<std::string> Stream::read(size_t max) {
    return detail::read_some(detail::CoreRef(&core()), max);
}

Coro<std::string> Stream::read_exactly(size_t n) {
    return detail::read_exactly_impl(detail::CoreRef(&core()), n);
}

Coro<std::string> Stream::read_until(std::string sep, size_t max) {
    return detail::read_until_impl(detail::CoreRef(&core()), std::move(sep), max);
}

bool Stream::at_eof() const {
    detail::StreamCore& s = core();
    return s.buffered() == 0 && s.reading_done();
}

}  // namespace corio
