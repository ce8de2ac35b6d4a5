// corio::Stream: a buffered TCP connection (asyncio's StreamReader and StreamWriter in one
// move-only object), and the errors of a connection. Layer 5: built on the loop's I/O watchers;
// open_connection (connect.hpp) and start_server (server.hpp) hand these out.
//
// Threads: a Stream is used on the thread of the loop that made it. Throws: every member but
// the constructors, valid() and the destructor throws InvalidStateError on an empty
// (default-made or moved-from) Stream; the connection errors are the ConnectionError family of
// error.hpp (a TLS stream adds the transport's errors, see tls.hpp); awaited operations also
// throw CancelledError when the awaiting task is cancelled.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "corio/coro.hpp"
#include "corio/error.hpp"
#include "corio/transport.hpp"

namespace corio {

// Per-connection settings, shared by ConnectOptions and ServerOptions.
struct StreamOptions {
    // write() buffers past what the socket takes at once; when the buffer grows above
    // write_high, drain() waits until it is back at or under write_low (asyncio's defaults).
    size_t write_high = 64 * 1024;
    size_t write_low = 16 * 1024;
    bool nodelay = true;  // TCP_NODELAY, as asyncio sets on every TCP connection
    // How long close() keeps sending buffered data to a peer that does not read before it
    // gives up and resets the connection (so a stuck peer cannot hold a loop's shutdown).
    std::chrono::milliseconds close_timeout = std::chrono::seconds(10);
};

namespace detail {
class StreamCore;
}

// Move-only. Reads pull from the socket only when asked (a slow consumer makes the peer wait);
// write() only buffers, as asyncio's does: data goes out in the background while the loop
// runs, and drain() is the backpressure point. Each operation returns a Coro, so any of them
// can be bounded by wait_for or cancelled; a cancelled operation loses no data and leaves the
// stream usable. One task may read and one may write at a time.
// A Stream may outlive its loop: when the loop shuts down (Loop::shutdown, corio::run) it
// closes the stream as close() does; when it closes without that, it shuts the socket at once,
// dropping unsent data. Either way the handle then behaves as closed: reads return what was
// buffered then "", writes throw ConnectionError, close() does nothing.
class Stream {
public:
    // Empty. Moving and destroying never throw.
    Stream() noexcept = default;
    explicit Stream(detail::StreamCore* core) noexcept : core_(core) {}  // adopts a reference
    Stream(Stream&& o) noexcept;
    Stream& operator=(Stream&& o) noexcept;
    Stream(const Stream&) = delete;
    Stream& operator=(const Stream&) = delete;
    ~Stream();  // close()

    bool valid() const noexcept { return core_ != nullptr; }
    explicit operator bool() const noexcept { return valid(); }

    // At most max bytes: what is buffered, else what one receive brings; "" at end of stream.
    // The reads throw the connection's error (ConnectionResetError, ...), and
    // InvalidStateError while another task is reading.
    Coro<std::string> read(size_t max = 65536);
    // Exactly n bytes, or IncompleteReadError (with the partial data) at end of stream.
    Coro<std::string> read_exactly(size_t n);
    // Up to and including sep. LimitOverrunError when sep is not within max bytes (the data
    // stays buffered); IncompleteReadError at end of stream before sep; std::invalid_argument
    // for an empty sep.
    Coro<std::string> read_until(std::string sep = "\n", size_t max = 65536);
    // True once the peer's end of stream was seen and nothing is buffered.
    bool at_eof() const;

    // Buffers data and starts sending it; never blocks. Throws ConnectionError when the stream
    // is closed or its write side shut, or the error the connection already failed with.
    void write(std::string_view data);
    // Returns at once while the write buffer is at or under the high-water mark; past it, waits
    // until the buffer falls to the low-water mark. Throws the connection's error, if any, and
    // InvalidStateError while another task is draining.
    Coro<void> drain();
    // Shuts the write side (half-close) once the buffered data has gone out.
    void write_eof();
    // Bytes buffered and not yet sent; the write_high / write_low of StreamOptions.
    size_t write_buffer_size() const;
    void set_write_buffer_limits(size_t high, size_t low);

    // Stops reading and writing from this handle: reads return what is buffered then "", and
    // pending reads and drains wake up. Buffered writes still go out in the background before
    // the socket closes; wait_closed() waits for that. Idempotent.
    void close();
    // Closes at once with a reset (RST), dropping buffered data.
    void abort();
    // True once close() or abort() was called.
    bool is_closing() const;
    // Waits until the socket is closed (buffered writes sent or given up).
    Coro<void> wait_closed();

    // "host:port" ("[v6]:port"); empty once closed.
    std::string peer() const;
    std::string local() const;
    int native_handle() const;
    // The TLS (or other) transport the stream runs through; nullptr on plain TCP.
    const Transport* transport() const;  // the socket, for setsockopt; -1 once closed

private:
    detail::StreamCore& core() const;
    detail::StreamCore* core_ = nullptr;
};

}  // namespace corio
