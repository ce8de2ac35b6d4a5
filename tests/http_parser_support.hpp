// Shared by the parser tests: feeding detail::Parser a buffer in pieces and collecting each
// complete message, as the server and the client do. Header-only, for test_http_parser*.cpp.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "http/parser.hpp"

namespace corio_test {

using corio::http::detail::ParseError;
using corio::http::detail::Parser;
using corio::http::detail::ParserLimits;
using Kind = Parser::Kind;
using Status = Parser::Status;
using Eof = Parser::Eof;

struct Message {
    std::string method, target, reason, body;
    int status = 0;
    corio::http::Headers headers;
    bool keep_alive = false, upgrade = false;
};

struct Run {
    std::vector<Message> messages;
    Parser::Status last = Parser::Status::NeedMore;
    size_t offset = 0;  // where parsing stopped in the input (the new protocol's start)
};

inline Message snapshot(Parser& p) {
    return {std::string(p.method()), p.target(), p.reason(), p.body(), p.status(), p.headers(),
            p.keep_alive(),          p.upgrade()};
}

// Feeds input in pieces of `step` bytes, collecting each complete message and going on after
// it, until the input is used up, an upgrade, or an error.
inline Run parse(Parser& p, const std::string& input, size_t step = 0) {
    if (step == 0) step = input.size() ? input.size() : 1;
    Run run;
    size_t pos = 0;
    while (pos < input.size()) {
        size_t end = std::min(input.size(), (pos / step + 1) * step);
        auto r = p.feed(input.data() + pos, end - pos);
        pos += r.consumed;
        run.last = r.status;
        if (r.status == Parser::Status::Complete) {
            run.messages.push_back(snapshot(p));
        } else if (r.status == Parser::Status::Upgrade) {
            run.messages.push_back(snapshot(p));
            break;
        } else if (r.status == Parser::Status::Error) {
            break;
        }
    }
    run.offset = pos;
    return run;
}

inline Run parse_response(const std::string& input, bool head = false, size_t step = 0) {
    Parser p(Parser::Kind::Response);
    p.expect_head_response(head);
    return parse(p, input, step);
}

}  // namespace corio_test
