// ws::connect: the client side of RFC 6455 (the websockets library's connect()). Opens a TCP
// connection, sends the Upgrade request, checks the 101 answer, and returns the Connection.
//
// Threads: connect is awaited on a loop's thread; the Connection belongs to that loop.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "corio/coro.hpp"
#include "corio/http/headers.hpp"
#include "corio/ws/connection.hpp"

namespace corio::ws {

struct ConnectOptions {
    size_t max_message_size = 1024 * 1024;
    std::chrono::milliseconds ping_interval = std::chrono::seconds(20);
    std::chrono::milliseconds ping_timeout = std::chrono::seconds(20);
    // Bounds the TCP connect and the opening handshake together (TimeoutError).
    std::chrono::milliseconds open_timeout = std::chrono::seconds(10);
    std::chrono::milliseconds close_timeout = std::chrono::seconds(10);
    size_t max_fragments = 4096;
    size_t max_queue = 16;
    size_t write_high = 256 * 1024;
    // Offered in Sec-WebSocket-Protocol, in order of preference.
    std::vector<std::string> subprotocols;
    // Extra request headers (Origin, Authorization, ...).
    http::Headers headers;
};

// url: ws://host[:port]/path?query. wss:// throws http::TlsUnavailable (TLS is not built in).
// Throws http::UrlError for a bad URL, the TCP layer's errors when the connection fails,
// InvalidHandshake when the server refuses or answers wrongly, TimeoutError after
// open_timeout, CancelledError when cancelled.
Coro<Connection> connect(std::string_view url, ConnectOptions options);
// Without options: the defaults. An overload rather than a default argument because g++ 12
// destroys twice an aggregate temporary (a default argument is one) that has owning members
// and stands in a co_await expression; for the same reason, name options in a local before
// writing co_await with them.
Coro<Connection> connect(std::string_view url);

}  // namespace corio::ws
