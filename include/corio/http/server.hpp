// http::serve: an HTTP/1.1 server over corio::start_server. Keep-alive, pipelining, HTTP/1.0,
// Expect: 100-continue, limits answered with their status, timeouts against slow clients, https
// with ServerOptions::tls, and an upgrade hook (Response::switching_protocols) on which the
// WebSocket server is built.
//
// Threads: serve is awaited on a loop's thread; the handlers run as tasks on that loop, and the
// Server belongs to it (one loop per thread; use tcp.reuse_port to serve from several).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "corio/coro.hpp"
#include "corio/http/request.hpp"
#include "corio/http/response.hpp"
#include "corio/server.hpp"
#include "corio/transport.hpp"

namespace corio::http {

struct ServerOptions {
    // Request-target bytes; longer: 414 URI Too Long, then close.
    size_t max_line_bytes = 8 * 1024;
    // Header fields of a request, each counted as name + value + 4 bytes; more: 431, then
    // close. So is a request with more than max_header_count fields.
    size_t max_header_bytes = 64 * 1024;
    size_t max_header_count = 256;
    // Body bytes (after de-chunking); more: 413, then close. A Content-Length over it is refused
    // before the body is read (and before a 100 Continue). nginx's and aiohttp's default.
    size_t max_body_size = 1024 * 1024;
    // From a connection's accept, or a later request's first byte, to the end of its headers;
    // later: 408, then close (a slow-loris client). A connection that sent nothing is closed
    // without an answer.
    std::chrono::milliseconds header_timeout = std::chrono::seconds(10);
    // Between two reads of a request body (nginx's client_body_timeout); later: 408, then close.
    std::chrono::milliseconds body_timeout = std::chrono::seconds(60);
    // How long an answer may wait for a client that reads nothing (its socket buffer full)
    // before the connection is dropped (nginx's send_timeout).
    std::chrono::milliseconds send_timeout = std::chrono::seconds(60);
    // Idle time allowed between two requests on a kept-alive connection; later: closed quietly.
    // nginx's and aiohttp's default.
    std::chrono::milliseconds keep_alive_timeout = std::chrono::seconds(75);
    // Connections served at once; the others wait in the listen backlog. 0: tcp's own limit
    // (tcp.max_connections), itself 0 for none.
    size_t max_connections = 0;
    // Listening and per-connection socket settings (backlog, SO_REUSEPORT, write buffers).
    corio::ServerOptions tcp{};
    // https: TLS on every connection, from corio::tls::server_context({.cert_file, .key_file}).
    // When set it is used instead of tcp.tls. The TLS handshake is bounded by
    // tcp.handshake_timeout (a client that fails it or is too slow is dropped silently), and
    // header_timeout starts once it is done.
    std::shared_ptr<TransportFactory> tls;
};

// What answers each request. It may keep a reference to the Request only while it runs. An
// exception it throws becomes a 500 (reported once on stderr) and the connection goes on.
// A handler taking `const Request&` converts too.
using Handler = std::function<Coro<Response>(Request&)>;

// Listens on host:port (port 0: a free one) and serves HTTP/1.1 there; returns the same Server
// as start_server (port(), close(), wait_closed(), serve_forever()). Throws
// std::invalid_argument for an empty handler, else what start_server throws (DnsError, a
// ConnectionError such as EADDRINUSE, corio::Error with no running loop).
Coro<Server> serve(Handler handler, std::string host, uint16_t port, ServerOptions options);
// Without options: the defaults. An overload rather than a default argument because g++ 12
// destroys twice an aggregate temporary (a default argument is one) that has owning members
// and stands in a co_await expression; for the same reason, name options in a local before
// writing co_await with them.
Coro<Server> serve(Handler handler, std::string host, uint16_t port);

}  // namespace corio::http
