// http::Request: one request as the server's handler sees it (method, target, headers, body,
// peer). Built by http::serve from the bytes llhttp parsed.
//
// Threads: a plain value, usable on any thread. Its members never throw.
#pragma once

#include <string>
#include <string_view>

#include "corio/http/headers.hpp"

namespace corio::http {

struct Request {
    std::string method;  // "GET", "POST", ... as sent (llhttp accepts only known methods)
    std::string target;  // the request-target as sent: "/a/b?x=1" (or absolute-form)
    Headers headers;
    std::string body;  // de-chunked
    std::string peer;  // "host:port" of the client
    int version_major = 1;
    int version_minor = 1;

    // The target up to '?' (and without a fragment).
    std::string_view path() const;
    // What follows '?', without it; "" when none.
    std::string_view query() const;
    // Whether the client asked to switch protocols (Upgrade header and token in Connection).
    bool wants_upgrade() const;
};

}  // namespace corio::http
