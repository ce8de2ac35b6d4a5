// One client connection as the pool keeps it: the stream, the response parser, the request
// buffer and the body decoder, all reused from one request to the next on that connection.
#pragma once

#include <cstddef>
#include <string>

#include "corio/loop.hpp"
#include "corio/stream.hpp"
#include "decompress.hpp"
#include "parser.hpp"

namespace corio::http::detail {

// Invariant: while idle in the pool, the parser is between messages and body is null (no
// pipelining: a connection with bytes past its last response is never kept).
struct Connection {
    explicit Connection(Stream s, const ParserLimits& limits = {})
        : stream(std::move(s)), parser(Parser::Kind::Response, limits) {}
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    Stream stream;
    Parser parser;
    std::string out;  // the request head (and a small body), written with one write
    Decoder decoder;
    Loop::time_point idle_since{};
    size_t responses = 0;  // complete responses carried so far

    // The response being read: where body bytes go, decoded when decode is set.
    std::string* body = nullptr;
    size_t max_body = 0;
    bool decode = false;
    bool body_started = false;  // the coding was chosen (at the first body byte)
};

}  // namespace corio::http::detail
