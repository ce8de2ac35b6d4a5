// Helpers for the WebSocket tests: hand-built frames and a blocking raw-socket client that plays
// a hostile peer, and an echo handler. No globals.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "corio/ws/connection.hpp"

namespace corio_test {

// One frame as a client would send it: masked (with a fixed non-zero key) unless mask is false;
// rsv holds the three RSV bits (RSV1 = 4). length_override writes a 64-bit length field with
// that value instead of the real one (for length lies).
std::string ws_frame(uint8_t opcode, std::string_view payload, bool fin = true, bool mask = true,
                     uint8_t rsv = 0);
std::string ws_frame_len64(uint8_t opcode, uint64_t length_field, std::string_view payload);
// A close frame's payload: code (big-endian) then reason.
std::string ws_close_payload(uint16_t code, std::string_view reason = {});

// A blocking loopback socket that has done the client handshake on path; -1 on failure.
int ws_raw_open(uint16_t port, const std::string& path = "/");

struct RawFrame {
    int opcode = -1;  // -1: the socket closed (or timed out) before a whole frame came
    bool fin = false;
    std::string payload;
};
RawFrame ws_read_frame(int fd, std::chrono::milliseconds timeout);
// Reads frames until a close frame and returns its code (1005 for an empty one); 0 when the
// socket ended or timed out first. Data frames and pongs on the way are skipped.
int ws_read_close_code(int fd, std::chrono::milliseconds timeout);
// Whether the peer ended the connection (EOF or reset) within timeout; data is skipped.
bool ws_raw_closed(int fd, std::chrono::milliseconds timeout);

// Sends every message back as it came (text as text, binary as binary).
corio::Coro<void> ws_echo(corio::ws::Connection& c);

}  // namespace corio_test
