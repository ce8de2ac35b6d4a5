// The HTTP layer's errors. Network failures keep the TCP layer's types (ConnectionRefusedError,
// ConnectionResetError, DnsError) and every timeout is a corio::TimeoutError whose message says
// which one; what is HTTP's own derives from http::HttpError.
//
// Threads: exception types, usable on any thread.
#pragma once

#include <string>

#include "corio/error.hpp"

namespace corio::http {

// A string that is not a URL corio can use (http::Url::parse, resolve).
class UrlError : public Error {
public:
    using Error::Error;
};

// Base of the HTTP client's and server's own errors.
class HttpError : public Error {
public:
    using Error::Error;
};

// More redirects than ClientOptions::max_redirects, or a redirect loop.
class TooManyRedirects : public HttpError {
public:
    using HttpError::HttpError;
};

// A body (after decoding) or a header block over its limit.
class BodyTooLarge : public HttpError {
public:
    using HttpError::HttpError;
};

// A malformed or truncated message: garbage status line, bad chunking, end of stream inside a
// body, a gzip stream that does not decode.
class ProtocolError : public HttpError {
public:
    using HttpError::HttpError;
};

// An https:// (or wss://) URL while TLS is not built in.
class TlsUnavailable : public HttpError {
public:
    using HttpError::HttpError;
};

}  // namespace corio::http
