// StreamCore: the heap state behind a Stream (a Stream is move-only and moves, the poller needs
// a fixed address). Layer 5 internals, shared by stream.cpp, stream_read.cpp, connect.cpp and
// server.cpp.
//
// Invariants:
//  - refs counts the Stream handle, each operation in flight (its Coro holds a CoreRef), the
//    linger task and the loop's registry of residents; the socket closes when close() finds
//    nothing to flush, when the linger task ends, or when the loop closes.
//  - registered_: the core is in its loop's registry (from watch() until its socket closes
//    or the loop closes), so a loop that goes first shuts the socket and drops the watcher
//    (abandon_resident); `loop` is then null and the handle behaves as closed.
//  - rbuf_[rpos_, size) is read but not yet consumed; wbuf_[wpos_, size) is accepted by
//    write() but not yet sent. Whenever wbuf_ holds data, the last send saw EAGAIN or a short
//    write, so the writable edge that on_ready waits for will come.
//  - paused_ is set when the write buffer grew past high_ and cleared when it falls to low_;
//    drain() waits while it is set.
//  - With a transport_ (TLS), rbuf_ holds plaintext and wbuf_ ciphertext; a transport failure
//    is kept in transport_error_ (its type and message) beside error_ = EPROTO.
//  - error_ (a positive errno) is sticky: once the connection failed, every later operation
//    throws it, except reads of what was buffered before.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "corio/detail/resident.hpp"
#include "corio/stream.hpp"
#include "corio/transport.hpp"
#include "io_source.hpp"
#include "wait_queue.hpp"

namespace corio::detail {

// An emptied read or write buffer keeps its storage up to this size; larger ones are freed, so
// an idle connection holds no big buffer.
constexpr size_t kKeepCapacity = 16 * 1024;

class StreamCore final : public IoSource, public Resident {
public:
    explicit StreamCore(const StreamOptions& o)
        : high_(o.write_high), low_(o.write_low <= o.write_high ? o.write_low : o.write_high) {}
    StreamCore(const StreamCore&) = delete;
    StreamCore& operator=(const StreamCore&) = delete;

    // Takes ownership of a connected socket and registers it; throws (closing it) on failure.
    // Whether fd is registered already (connect does it to wait for the handshake) is told by
    // `registered`.
    void open(Loop& loop, int fd, std::string peer, const StreamOptions& o, bool registered);
    // Registers fd with the loop (edge-triggered, both ways) and the core with the loop's
    // registry; 0 or -errno (then nothing is registered).
    int watch(Loop& l, int fd);

    void add_ref() noexcept { ++refs_; }
    void release() noexcept {
        if (--refs_ == 0) delete this;
    }

    // ---- read side (stream_read.cpp) ----
    size_t buffered() const noexcept { return rbuf_.size() - rpos_; }
    std::string_view buffered_view() const noexcept {
        return std::string_view(rbuf_).substr(rpos_);
    }
    std::string take(size_t n);
    // One receive into the read buffer: bytes read, 0 at end of stream, -EAGAIN; throws on a
    // connection error.
    long fill();
    // One receive into buf: same results as fill().
    long receive(char* buf, size_t len);
    // Keeps bytes received beyond what the caller asked for (the buffer is empty then).
    void keep(const char* data, size_t len) { rbuf_.assign(data, len); }
    bool reading_done() const noexcept { return eof_ || closing_ || fd < 0; }
    void check_error() const;
    void check_single_reader() const;

    // ---- transport (stream_transport.cpp) ----
    Transport* transport() const noexcept { return transport_.get(); }
    // Installs t and sends what it opens with; the handshake then runs inside fill().
    void start_transport(std::unique_ptr<Transport> t);
    // Runs n bytes just received (0: end of stream) through the transport into rbuf_; sends
    // what it answers. Throws (and keeps) the transport's error.
    long filter_received(const char* buf, long n);
    void fail_transport() noexcept;

    // ---- write side (stream.cpp) ----
    size_t pending() const noexcept { return wbuf_.size() - wpos_; }
    void write(std::string_view data);
    void flush() noexcept;  // sends what the socket takes; records a failure in error_
    void write_eof();
    void set_limits(size_t high, size_t low);
    bool paused() const noexcept { return paused_; }

    // ---- lifetime (stream.cpp) ----
    void close();
    void abort() noexcept;
    void finish_close() noexcept;  // unregister, close the socket, wake wait_closed()
    bool closing() const noexcept { return closing_; }
    bool closed() const noexcept { return fd < 0; }
    int error() const noexcept { return error_; }
    const std::string& peer() const noexcept { return peer_; }
    WaitQueue& closed_waiters() noexcept { return closed_waiters_; }

    static void on_events(IoWatcher* w, uint32_t events);

    // ---- Resident: the loop's view (io_teardown.cpp) ----
    bool resident_done() const noexcept override { return true; }  // a socket is no pending work
    void hold_resident() noexcept override { add_ref(); }
    void release_resident() noexcept override;
    void cancel_resident() override;   // Loop::shutdown: close() from the next iteration
    void abandon_resident() override;  // Loop::close: shut the socket now, forget the loop
    void run() override;               // the close queued by cancel_resident
    void drop() override { release(); }

private:
    ~StreamCore();
    void leave_registry() noexcept;  // last step wherever it is called: may free the core
    void fail(int err) noexcept;
    void drop_write_buffer() noexcept;
    void compact_write_buffer() noexcept;
    void close_transport() noexcept;  // queues close_notify
    void start_linger();

    std::string rbuf_;
    std::string wbuf_;
    std::string peer_;
    size_t rpos_ = 0;
    size_t wpos_ = 0;
    size_t high_;
    size_t low_;
    int64_t close_timeout_ns_ = 0;
    WaitQueue closed_waiters_;
    std::unique_ptr<Transport> transport_;
    std::exception_ptr transport_error_;
    uint32_t refs_ = 1;
    int error_ = 0;
    bool eof_ = false;           // the peer finished sending (recv returned 0)
    bool paused_ = false;        // see invariants
    bool write_shut_ = false;    // write_eof() called: no more writes
    bool eof_pending_ = false;   // shutdown(SHUT_WR) once the buffer is empty
    bool closing_ = false;       // close() called: no more reads or writes through the handle
    bool registered_ = false;    // see invariants
    bool close_queued_ = false;  // cancel_resident's close waits in the ready queue
};

// Intrusive reference, held by every operation in flight so the core outlives its Stream
// handle if need be (a Stream destroyed while another task still awaits one of its reads).
class CoreRef {
public:
    explicit CoreRef(StreamCore* c) noexcept : c_(c) { c_->add_ref(); }
    CoreRef(const CoreRef& o) noexcept : CoreRef(o.c_) {}
    CoreRef(CoreRef&& o) noexcept : c_(std::exchange(o.c_, nullptr)) {}
    CoreRef& operator=(const CoreRef&) = delete;
    ~CoreRef() {
        if (c_) c_->release();
    }
    StreamCore* operator->() const noexcept { return c_; }
    StreamCore& operator*() const noexcept { return *c_; }
    StreamCore* get() const noexcept { return c_; }

private:
    StreamCore* c_;
};

// Size of the per-thread receive buffer: what one receive asks for, whatever the caller's max
// (asyncio reads 256 KiB too). Asking for more than will come makes a short read the common
// case, and a short read tells that the socket is empty without a second recv for EAGAIN.
constexpr size_t kReceiveChunk = 256 * 1024;
char* receive_scratch();

}  // namespace corio::detail
