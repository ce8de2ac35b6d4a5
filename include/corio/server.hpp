// corio::start_server and Server: asyncio.start_server. Layer 5: listening sockets, an accept
// task per socket, and one task per connection running the handler with its Stream.
//
// Threads: a Server and its handlers live on the thread of the loop that started it (one loop
// per thread; use reuse_port for more). Throws: every Server member but the constructors and
// the destructor throws InvalidStateError on an empty (default-made or moved-from) Server.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "corio/coro.hpp"
#include "corio/dns.hpp"
#include "corio/stream.hpp"
#include "corio/transport.hpp"

namespace corio {

namespace detail {
class ServerCore;
}

struct ServerOptions {
    int backlog = 511;
    bool reuse_address = true;  // SO_REUSEADDR: restart on a port with connections in TIME_WAIT
    // SO_REUSEPORT: several sockets (one per loop, one loop per thread) listen on one port and
    // the kernel spreads connections among them; this is how corio uses more cores.
    bool reuse_port = false;
    // At most this many connections handled at once (0: no limit). At the limit the server
    // stops accepting (new connections wait in the backlog) until a handler returns.
    size_t max_connections = 0;
    Family family = Family::Any;
    StreamOptions stream{};
    // TLS for every connection (corio::tls::server_context(...)): the handshake runs in the
    // connection's task before the handler; a client that fails it or exceeds
    // handshake_timeout is dropped without a report (scanners would flood the log).
    std::shared_ptr<TransportFactory> tls;
    std::chrono::nanoseconds handshake_timeout = std::chrono::seconds(10);
};

// Runs once per accepted connection, in its own task. An exception it throws is reported on
// stderr (asyncio's "Unhandled exception in client_connected_cb"); the stream is closed when
// the handler's Stream is destroyed.
using ConnectionHandler = std::function<Coro<void>(Stream)>;

// Move-only handle to a listening server; destroying it closes it (handlers keep running).
// It may outlive its loop: a loop that shuts down or closes first closes the server (and its
// handlers' streams, see stream.hpp); the handle then reports it closed and close() does
// nothing.
class Server {
public:
    Server() noexcept = default;
    explicit Server(std::shared_ptr<detail::ServerCore> core) noexcept;
    Server(Server&&) noexcept = default;
    Server& operator=(Server&& o) noexcept;
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;
    ~Server();

    // The port listened on (the one the kernel picked when asked for port 0).
    uint16_t port() const;
    std::vector<std::string> addresses() const;  // "host:port" of each listening socket
    bool is_serving() const;
    size_t active_connections() const;  // handlers running now

    // Stops accepting and closes the listening sockets at once. Running handlers are left
    // alone: wait_closed() waits for them, close_clients() ends them. Idempotent.
    void close();
    // Closes the stream of every running handler: their reads see end of stream.
    void close_clients();
    // Waits until the server is closed and every handler has returned (asyncio 3.12).
    Coro<void> wait_closed();
    // Waits until close() is called. When cancelled, closes the server and rethrows
    // CancelledError.
    Coro<void> serve_forever();

private:
    detail::ServerCore& core() const;
    std::shared_ptr<detail::ServerCore> core_;
};

// Listens on host:port (port 0: a free port; an empty host: every interface) and returns a
// Server that is already accepting. A name that resolves to several addresses (localhost:
// 127.0.0.1 and ::1) gets one socket each, all on the same port. Throws InvalidStateError for
// an empty handler, corio::Error when no loop runs on this thread, DnsError, and a
// ConnectionError (code() = errno, e.g. EADDRINUSE) when a socket cannot listen.
Coro<Server> start_server(ConnectionHandler handler, std::string host, uint16_t port,
                          ServerOptions options = {});

}  // namespace corio
