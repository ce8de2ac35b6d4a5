// The WebSocket layer's errors. Network failures keep the TCP layer's types (ConnectionError,
// ConnectionRefusedError, DnsError) and timeouts are corio::TimeoutError; what is WebSocket's own
// derives from ws::WebSocketError.
//
// Threads: exception types, usable on any thread.
#pragma once

#include <cstdint>
#include <string>

#include "corio/error.hpp"

namespace corio::ws {

// Base of the WebSocket layer's own errors (also: an invalid close code given to close()).
class WebSocketError : public Error {
public:
    using Error::Error;
};

// send() or close() on a connection whose closing handshake has started or that is gone.
// code and reason are the connection's close_code() and close_reason() at the time.
class ConnectionClosed : public WebSocketError {
public:
    ConnectionClosed(uint16_t code, std::string reason);
    uint16_t code;
    std::string reason;
};

// The server refused the opening handshake or answered it wrongly (ws::connect): a status other
// than 101, a missing Upgrade/Connection token, a wrong Sec-WebSocket-Accept. status is the HTTP
// status received (0 when the answer was not HTTP at all).
class InvalidHandshake : public WebSocketError {
public:
    InvalidHandshake(const std::string& what, int status = 0)
        : WebSocketError(what), status(status) {}
    int status;
};

}  // namespace corio::ws
