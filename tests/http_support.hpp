// Helpers for the HTTP tests (server and client): reading raw HTTP replies off a corio Stream
// with the library's own parser, running a peer program (curl, wrk, nginx) from a thread while
// the loop goes on. (Temporary directories and free ports: http_peer_support.hpp.)
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "corio/corio.hpp"
#include "corio/http/headers.hpp"

namespace corio_test {

// One HTTP response as it came off the wire.
struct HttpReply {
    int status = 0;
    std::string reason;
    corio::http::Headers headers;
    std::string body;
    bool keep_alive = false;
};

// Reads one response from s. buffer carries bytes read past it into the next call (start with
// an empty string per connection). head: the request was a HEAD. Throws corio::TimeoutError
// after timeout, std::runtime_error for a malformed or truncated reply or end of stream.
corio::Coro<HttpReply> read_reply(corio::Stream& s, std::string& buffer, bool head = false,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Everything until the peer closes (or the timeout passes: then what arrived so far).
corio::Coro<std::string> read_to_eof(corio::Stream& s,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Connects to 127.0.0.1:port, sends raw, and reads one reply.
corio::Coro<HttpReply> raw_exchange(uint16_t port, std::string raw,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(10));

struct ChildRun {
    std::string out;  // stdout
    int status = -1;  // exit status; -1 if it had to be killed
};
// Runs argv to completion (at most timeout) on a thread while the loop keeps running.
corio::Coro<ChildRun> run_child(std::vector<std::string> argv,
                                std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace corio_test
