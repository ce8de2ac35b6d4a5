// The common case of a received frame, decided without wslay: one whole unfragmented text or
// binary frame that wslay would accept as it is. wslay unmasks and checks UTF-8 a byte at a time
// (three quarters of the server's time on 16 KiB echoes); these do it a word at a time.
// Internal to src/ws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace corio::ws::detail {

// What the bytes at the front of the input hold.
enum class FastFrame {
    Slow,   // anything wslay must see (control frame, fragment, error, over the size limit)
    Wait,   // the start of a frame that qualifies: wait for the rest of it
    Ready,  // a whole frame that qualifies: header_size + payload_size bytes
};

struct FrameHead {
    size_t header_size = 0;
    uint64_t payload_size = 0;
    uint8_t opcode = 0;
    const uint8_t* mask = nullptr;  // the key, in the input; null when unmasked
};

// expect_masked: frames from a client are masked, from a server not (wslay fails the others).
FastFrame classify_frame(const uint8_t* p, size_t n, bool expect_masked, uint64_t max_payload,
                         FrameHead& head);

// The size of any frame, header included, from its first n bytes (at most 14 are read); 0 while
// they do not tell. A length wslay rejects (top bit set) gives UINT64_MAX.
uint64_t frame_size(const uint8_t* p, size_t n);

// The payload of a Ready frame, unmasked. Returns false for a text payload that is not UTF-8
// (wslay then decides, with 1007).
bool take_payload(const uint8_t* p, const FrameHead& head, std::string& out);

}  // namespace corio::ws::detail
