// How the server turns a Response into bytes: the status line, the Date header (formatted once a
// second), framing headers the server owns (Content-Length, Connection), then the body. Every
// piece is appended to one caller-owned buffer so a batch of answers goes out in one write.
#pragma once

#include <string>
#include <string_view>

#include "corio/http/response.hpp"

namespace corio::http::detail {

// The Date header's value for the current second ("Sun, 06 Nov 1994 08:49:37 GMT"), cached per
// thread: formatting it costs a gmtime and a strftime once a second, not once per answer.
std::string_view http_date();

// 1xx, 204 and 304 never carry a body.
inline bool status_has_body(int status) noexcept {
    return status >= 200 && status != 204 && status != 304;
}

struct HeadOptions {
    bool head_request = false;  // a HEAD: headers as for GET, no body
    bool close = false;         // "Connection: close" (the server closes after this answer)
    bool keep_alive = false;    // "Connection: keep-alive" (an HTTP/1.0 client asked for it)
};

// Appends r's status line and headers and the blank line. The server writes Date (unless r has
// one), Content-Length (the body's size; for HEAD, r's own Content-Length when it set one) and
// Connection; r's Content-Length, Transfer-Encoding and Connection fields are not copied.
void append_head(std::string& out, const Response& r, const HeadOptions& o);

// Whether r asks for the connection to end after it (a Connection: close field).
bool response_closes(const Response& r);

// An answer the server makes on its own (400, 408, 413, 414, 431, 500): a short text body.
Response error_response(int status);

}  // namespace corio::http::detail
