// The opening handshake of RFC 6455 section 4, without any I/O: the accept key, the checks a
// server makes on an Upgrade request, and the checks a client makes on the 101 answer. ws::serve
// and ws::connect use these; a program with its own HTTP layer can too.
//
// Threads: plain functions, callable from any thread. They report problems in their results
// and throw nothing but std::bad_alloc.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "corio/http/headers.hpp"

namespace corio::ws {

// base64(SHA-1(key + the RFC's GUID)): the Sec-WebSocket-Accept value for a Sec-WebSocket-Key.
std::string accept_key(std::string_view key);

// A fresh Sec-WebSocket-Key: base64 of 16 random bytes.
std::string make_key();

// Whether key is what RFC 6455 asks of Sec-WebSocket-Key: base64 of exactly 16 bytes.
bool valid_key(std::string_view key);

// What a server should do with a request. ok: answer 101 with accept; otherwise answer status
// (400, or 426 for another protocol version, or none when the request did not ask for a
// WebSocket at all: serve it as plain HTTP) with error saying why.
struct UpgradeCheck {
    bool ok = false;
    bool is_websocket = false;  // Upgrade: websocket was asked for (even if wrongly)
    int status = 0;             // 400 or 426 when !ok and is_websocket
    std::string error;
    std::string accept;  // Sec-WebSocket-Accept when ok
};

// Checks a request per RFC 6455 4.2.1: method GET, Upgrade containing "websocket", Connection
// containing "upgrade" (tokens in any case, in lists), Sec-WebSocket-Version 13, a valid key.
UpgradeCheck check_upgrade(std::string_view method, const http::Headers& headers);

// The subprotocol to answer with: the first of the client's Sec-WebSocket-Protocol offers that
// the server supports (empty: none, send no header).
std::string select_subprotocol(const http::Headers& request,
                               const std::vector<std::string>& supported);

// Checks a server's answer to a client handshake sent with key; an empty string when it is
// right, else what is wrong.
std::string check_accept(int status, const http::Headers& headers, std::string_view key);

}  // namespace corio::ws
