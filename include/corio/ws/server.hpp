// ws::serve: a WebSocket server (the websockets library's serve()). The opening handshake goes
// through HTTP, so a bad one gets a proper HTTP answer and a plain GET gets a page; each accepted
// connection runs the handler with its ws::Connection. wss with ServerOptions::tls.
//
// Threads: serve is awaited on a loop's thread; handlers run as tasks on that loop, and the
// Server belongs to it (reuse_port: one server per loop and thread on one port).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "corio/coro.hpp"
#include "corio/server.hpp"
#include "corio/transport.hpp"
#include "corio/ws/connection.hpp"

namespace corio::ws {

// Runs once per connection. When it returns the connection is closed with 1000 (1011 if it
// threw), as websockets does.
using Handler = std::function<Coro<void>(Connection&)>;

struct ServerOptions {
    size_t max_message_size = 1024 * 1024;                               // over it: close 1009
    std::chrono::milliseconds ping_interval = std::chrono::seconds(20);  // 0: no keepalive
    std::chrono::milliseconds ping_timeout = std::chrono::seconds(20);
    size_t max_connections = 0;  // at the limit, new connections wait in the backlog; 0: none
    // A client has this long to send its whole handshake request.
    std::chrono::milliseconds open_timeout = std::chrono::seconds(10);
    std::chrono::milliseconds close_timeout = std::chrono::seconds(10);
    size_t max_fragments = 4096;     // fragments in one message; over it: close 1009
    size_t max_queue = 16;           // received messages waiting for recv() before reading stops
    size_t write_high = 256 * 1024;  // output bytes over which send() waits and reading stops
    // Request paths accepted for WebSocket (the path without the query); others get 404.
    // Empty: every path.
    std::vector<std::string> paths;
    // Subprotocols this server speaks: the first of the client's offers found here is chosen.
    std::vector<std::string> subprotocols;
    // Served (text/html, 200) for a plain GET on an accepted path; empty: a short 426 page
    // saying a WebSocket client is needed.
    std::string page;
    bool reuse_port = false;  // SO_REUSEPORT: one server per loop and thread on one port
    // wss: TLS on every connection, from corio::tls::server_context({.cert_file, .key_file}).
    // The TLS handshake has open_timeout too (a client that fails it is dropped silently),
    // and the handshake request open_timeout more once it is done.
    std::shared_ptr<TransportFactory> tls;
};

// Listens on host:port and returns the server, already accepting (port 0: a free port).
// Throws what http::serve throws (DnsError, a ConnectionError such as EADDRINUSE, corio::Error
// with no running loop). A handler's exception is reported, not thrown (close 1011).
Coro<Server> serve(Handler handler, std::string host, uint16_t port, ServerOptions options);
// Without options: the defaults. An overload rather than a default argument because g++ 12
// destroys twice an aggregate temporary (a default argument is one) that has owning members
// and stands in a co_await expression; for the same reason, name options in a local before
// writing co_await with them.
Coro<Server> serve(Handler handler, std::string host, uint16_t port);

}  // namespace corio::ws
