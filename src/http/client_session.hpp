// The shared state behind a ClientSession, and the steps of one request: the redirect chain
// (client.cpp) and one exchange on a pooled connection (client_exchange.cpp).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "corio/coro.hpp"
#include "corio/error.hpp"
#include "corio/http/client.hpp"
#include "corio/transport.hpp"
#include "parser.hpp"
#include "pool.hpp"

namespace corio::http::detail {

// A TimeoutError already labelled (connect or read), so the total timeout around it leaves its
// message alone.
class LabelledTimeout : public TimeoutError {
public:
    using TimeoutError::TimeoutError;
};

// "250 ms", for timeout messages.
std::string ms_text(std::chrono::nanoseconds d);

// Why the session-wide header fields of o (headers, user_agent) cannot be sent, or "".
std::string options_error(const ClientOptions& o);

// What one request sends; the redirect chain changes method, url and body as it goes.
struct Outgoing {
    std::string method;
    Url url;
    Headers headers;
    std::string body;
    std::string content_type;  // added as Content-Type unless headers has one
};

// Lives as long as the session or any request in flight (each holds a shared_ptr to it).
class SessionCore {
public:
    explicit SessionCore(ClientOptions options);

    // The whole request: total timeout, redirects.
    static Coro<Response> fetch(std::shared_ptr<SessionCore> self, Outgoing req);

    // The pool's key of a URL's connections: "http://host:port" or "https://host:port", so that
    // one server's plain and TLS connections never mix.
    static std::string pool_key(const Url& url);

    ClientOptions options;
    Pool pool;
    ParserLimits limits;
    size_t connections_opened = 0;

private:
    // What options' own header fields break, or "" (see options_error): checked once.
    std::string options_error_;

    // Below fetch, the response is filled in place (r starts default-constructed): a Response
    // returned through each coroutine layer would be moved twice per layer, and with its Url,
    // headers and body that was the largest cost of a request after the kernel's.
    Coro<void> follow(Outgoing& req, Response& r);
    // One request and its response, on a pooled connection (retried once on a fresh one when a
    // kept-alive connection turns out closed and the method is idempotent).
    Coro<void> exchange(const Outgoing& req, Response& r);
    Coro<Stream> connect(const Url& url);
    // The TLS context of the session's https connections (client_tls.cpp): made at the first
    // https request, so a plain-HTTP session never loads a trust store, then shared by every
    // connection so that TLS sessions resume. Throws TlsUnavailable without TLS built in, and
    // tls::TlsError when ca_file cannot be loaded (tried again at the next https request).
    const std::shared_ptr<TransportFactory>& tls_context(const Url& url);
    std::shared_ptr<TransportFactory> tls_;
};

}  // namespace corio::http::detail
