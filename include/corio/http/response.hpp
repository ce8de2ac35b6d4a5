// http::Response: what the client returns (status, headers, decoded body, final URL and the
// redirects that led there) and what a server handler returns (built with text(), redirect(),
// not_found(), or switching_protocols() to hand the connection to another protocol).
//
// Threads: a plain value, usable on any thread (a takeover runs on the server's loop thread).
// Throws: only redirect() (below) throws, std::bad_alloc aside.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "corio/coro.hpp"
#include "corio/http/headers.hpp"
#include "corio/http/url.hpp"
#include "corio/stream.hpp"

namespace corio::http {

// Runs on a connection after the server has written a 101 answer: it owns the stream from then
// on, and leftover holds the bytes that arrived after the request (they belong to the new
// protocol). The server serves no more HTTP on that connection.
using Takeover = std::function<Coro<void>(Stream stream, std::string leftover)>;

struct Response {
    int status = 200;
    std::string reason;  // "" means the standard phrase for status
    Headers headers;
    std::string body;  // the client's is decoded (gzip/deflate) when decompression is on

    // Client side: the URL that answered (after redirects), and the URLs of the redirect
    // responses that led there, in order (aiohttp's history).
    Url url;
    std::vector<Url> history;

    // Server side: set by switching_protocols().
    Takeover takeover;

    std::string_view text() const noexcept { return body; }
    // The media type of Content-Type, lower case and without parameters ("text/html"); "" when
    // there is none.
    std::string content_type() const;
    bool ok() const noexcept { return status >= 200 && status < 300; }

    // A body with its content type.
    static Response text(int status, std::string body, std::string content_type = "text/plain");
    // A redirect to location (301, 302, 303, 307 or 308) with a short body;
    // std::invalid_argument for another status.
    static Response redirect(int status, std::string location);
    static Response not_found();  // 404 with a short text body
    // 101 Switching Protocols with these headers; takeover runs once it has been written.
    static Response switching_protocols(Headers headers, Takeover takeover);
};

// The standard reason phrase of a status ("Not Found"); "" for one it does not know.
std::string_view reason_phrase(int status) noexcept;

}  // namespace corio::http
