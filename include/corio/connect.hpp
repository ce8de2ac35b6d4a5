// corio::open_connection: asyncio.open_connection. Layer 5: resolves the host (dns.hpp), tries
// each address in turn with a non-blocking connect, and returns a Stream (stream.hpp).
//
// Threads: awaited on a loop's thread; the Stream belongs to that loop.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "corio/coro.hpp"
#include "corio/dns.hpp"
#include "corio/error.hpp"
#include "corio/stream.hpp"
#include "corio/transport.hpp"

namespace corio {

struct ConnectOptions {
    // Bounds the name lookup and all the connect attempts together (aiohttp's connect
    // timeout); zero means no limit beyond the resolver's and the kernel's own. TimeoutError
    // when it passes (a lookup it abandons finishes on its resolver thread, unused).
    std::chrono::nanoseconds timeout = std::chrono::seconds(30);
    Family family = Family::Any;
    StreamOptions stream{};
    // TLS over the connection (corio::tls::client_context()); the handshake, verifying the
    // server as `host`, is part of open_connection and bounded by handshake_timeout.
    std::shared_ptr<TransportFactory> tls;
    std::chrono::nanoseconds handshake_timeout = std::chrono::seconds(30);
};

// Connects to host:port. Each resolved address is tried in turn; when all fail, throws the
// last failure (ConnectionRefusedError, TimeoutError, ConnectionError) with the host, port and
// every address tried in the message, or DnsError when the name does not resolve.
// Cancellable at any point: the half-open socket is closed and unregistered at once.
// With tls, the handshake adds TimeoutError (handshake_timeout), ConnectionError (the peer
// ended it) and the transport's errors (tls.hpp).
Coro<Stream> open_connection(std::string host, uint16_t port, ConnectOptions options = {});

}  // namespace corio
