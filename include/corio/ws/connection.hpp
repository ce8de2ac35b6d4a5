// ws::Connection: one open WebSocket (either end) over a corio::Stream, framed by wslay. Whole
// messages in, whole messages out, pings answered, keepalive pings sent, the closing handshake
// done, and bounded memory both ways. ws::serve and ws::connect hand these out.
//
// Threads: a Connection is used on the thread of its stream's loop. Throws: every member but
// the constructors, the destructor, the moves and is_open() throws InvalidStateError on an
// empty (default-made or moved-from) Connection; the awaits also throw CancelledError when
// the awaiting task is cancelled.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "corio/coro.hpp"
#include "corio/stream.hpp"
#include "corio/ws/errors.hpp"
#include "corio/ws/message.hpp"

namespace corio::ws {

enum class Role : unsigned char { Server, Client };

// The limits and timers of one connection (ServerOptions and ConnectOptions carry these).
struct ConnectionOptions {
    // A message (all fragments) larger than this closes the connection with 1009, decided from
    // the frame header before its payload is buffered.
    size_t max_message_size = 1024 * 1024;
    // More fragments than this in one message also close with 1009 (each costs wslay a buffer).
    size_t max_fragments = 4096;
    // Every ping_interval a ping goes out; no pong within ping_timeout drops the connection
    // (close 1011, then the socket). Zero turns keepalive off.
    std::chrono::milliseconds ping_interval = std::chrono::seconds(20);
    std::chrono::milliseconds ping_timeout = std::chrono::seconds(20);
    // How long the closing handshake may take before the socket is dropped.
    std::chrono::milliseconds close_timeout = std::chrono::seconds(10);
    // Received messages waiting for recv(): past this many, the connection stops reading.
    size_t max_queue = 16;
    // Output past this many bytes makes send() wait and stops reading (so the pongs of a ping
    // flood cannot pile up); sending resumes under a quarter of it.
    size_t write_high = 256 * 1024;
};

namespace detail {
class WsCore;
}

// Move-only. One task may recv() while another sends. A Connection must be destroyed before its
// loop; destroying an open one drops the socket without a closing handshake.
class Connection {
public:
    // Takes over a stream on which the opening handshake is done; leftover holds bytes that were
    // read past the handshake (they are the first WebSocket bytes). Starts reading at once.
    // Throws std::bad_alloc when wslay cannot make its context.
    Connection(Stream stream, std::string leftover, Role role, ConnectionOptions options = {},
               std::string path = "/", std::string subprotocol = {});
    Connection() noexcept;
    Connection(Connection&&) noexcept;
    Connection& operator=(Connection&&) noexcept;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection();

    // The next whole message; nullopt once the connection is closed (by either end, or lost):
    // a closed connection is not an exception here.
    Coro<std::optional<Message>> recv();
    // Sends a text (UTF-8) or binary message. Waits while the output is over the high-water
    // mark. Throws ConnectionClosed once the closing handshake has started, or when the
    // connection is lost while it waits.
    Coro<void> send(std::string_view text);
    Coro<void> send_binary(std::string_view data);
    // Starts the closing handshake after every message sent before it, and waits until it is
    // done (or close_timeout passed, then the socket is dropped). Idempotent. Throws
    // WebSocketError for a code RFC 6455 does not allow in a close frame.
    Coro<void> close(uint16_t code = 1000, std::string_view reason = {});
    // Waits until the connection is closed, without starting to close it.
    Coro<void> wait_closed();

    // The request path (with query) of the opening handshake, "/" by default.
    const std::string& path() const;
    // The peer's "host:port".
    const std::string& remote() const;
    // The subprotocol agreed in the handshake ("" when none).
    const std::string& subprotocol() const;
    bool is_open() const;  // false for an empty Connection; never throws
    // How the connection ended, known once recv() returns nullopt: the code this end failed it
    // with (1002, 1007, 1009, 1011) if it did; else the code of the peer's close frame (1005 if
    // it had none); 1006 when the socket went away without one. nullopt before that.
    std::optional<uint16_t> close_code() const;
    const std::string& close_reason() const;
    // Messages received and sent so far (for logs).
    uint64_t messages_in() const;
    uint64_t messages_out() const;

private:
    std::shared_ptr<detail::WsCore> core_;
};

}  // namespace corio::ws
