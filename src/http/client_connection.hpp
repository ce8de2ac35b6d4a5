// One client connection as the pool keeps it: the stream, the bytes received but not yet
// parsed, and the per-connection decoder, all reused from one response to the next.
#pragma once

#include <cstddef>
#include <string>

#include "corio/loop.hpp"
#include "corio/stream.hpp"
#include "decompress.hpp"

namespace corio::http::detail {

// Invariant: while idle in the pool, a connection has no unparsed bytes (no pipelining, so
// bytes there would be a protocol violation and the connection would not have been kept).
struct Connection {
    explicit Connection(Stream s) : stream(std::move(s)) {}
    Stream stream;
    std::string in;  // received, unparsed bytes start at in_pos
    size_t in_pos = 0;
    Loop::time_point idle_since{};
    size_t responses = 0;  // complete responses carried so far
    Decoder decoder;
};

}  // namespace corio::http::detail
