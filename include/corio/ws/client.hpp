// ws::connect: the client side of RFC 6455 (the websockets library's connect()). Opens a TCP
// connection (TLS over it for wss://), sends the Upgrade request, checks the 101 answer, and
// returns the Connection.
//
// Threads: connect is awaited on a loop's thread; the Connection belongs to that loop.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "corio/coro.hpp"
#include "corio/http/headers.hpp"
#include "corio/transport.hpp"
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
    // wss:// only, as in http::ClientOptions: the server's certificate is checked against the
    // system's CAs (system_trust) and those in ca_file (PEM), and must name the URL's host
    // (also sent as SNI). insecure skips every check: anyone in the path can read and change
    // the traffic (tests and debugging only).
    std::string ca_file;
    bool insecure = false;
    bool system_trust = true;
    // A TLS context of your own (corio::tls::client_context(...)) used instead of the three
    // above. Without one, connects with the same three share a context made on first use, so
    // the trust store is loaded once and sessions are resumed.
    std::shared_ptr<TransportFactory> tls;
};

// url: ws://host[:port]/path?query or wss://host[:port]/path?query (port 443 by default).
// Throws http::UrlError for a bad URL, the TCP layer's errors when the connection fails, the
// TLS errors of corio/tls.hpp for wss (tls::CertificateError for an expired certificate, a
// wrong host or an unknown CA; tls::NotTlsError when the server does not speak TLS; each
// naming the host), http::TlsUnavailable for wss when corio was built without TLS,
// InvalidHandshake when the server refuses or answers wrongly, TimeoutError after
// open_timeout, CancelledError when cancelled.
Coro<Connection> connect(std::string_view url, ConnectOptions options);
// Without options: the defaults. An overload rather than a default argument because g++ 12
// destroys twice an aggregate temporary (a default argument is one) that has owning members
// and stands in a co_await expression; for the same reason, name options in a local before
// writing co_await with them.
Coro<Connection> connect(std::string_view url);

}  // namespace corio::ws
