// corio::http::ClientSession: aiohttp.ClientSession. One session owns a keep-alive connection
// pool (total and per-host limits), follows redirects, decodes gzip/deflate bodies and bounds
// every request by the timeouts of ClientTimeout. Layer 6, over Stream and open_connection.
//
// Threads: a session is used on the thread of the loop running there, by one thread at a time;
// used later under another loop, it drops its pooled connections (they belong to the old
// loop) and starts over.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "corio/coro.hpp"
#include "corio/http/errors.hpp"
#include "corio/http/headers.hpp"
#include "corio/http/response.hpp"
#include "corio/http/url.hpp"

namespace corio::http {

// aiohttp.ClientTimeout. Zero means no limit. Each expiry is a corio::TimeoutError whose message
// starts with which one passed: "total timeout", "connect timeout", "read timeout".
struct ClientTimeout {
    // The whole request: waiting for a pooled connection, connecting, redirects, the body.
    std::chrono::nanoseconds total = std::chrono::minutes(5);
    // Opening one connection, name lookup included.
    std::chrono::nanoseconds connect = std::chrono::seconds(30);
    // Between two reads of the response that bring bytes (a stalled server).
    std::chrono::nanoseconds read = std::chrono::seconds(60);
};

struct ClientOptions {
    size_t limit = 100;         // connections open at once, all hosts (0: no limit)
    size_t limit_per_host = 0;  // connections open at once to one host:port (0: no limit)
    ClientTimeout timeout{};
    size_t max_redirects = 10;  // TooManyRedirects past it
    // Sends Accept-Encoding: gzip, deflate and decodes such bodies; off, bodies stay encoded.
    bool decompress = true;
    // Largest body, counted after decoding (BodyTooLarge past it: a gzip bomb stops there).
    size_t max_body_size = 32 * 1024 * 1024;
    Headers headers{};  // sent with every request; a request's own field of that name wins
    std::string user_agent = "corio-http/1.0";
    // How long an unused keep-alive connection stays in the pool (aiohttp's keepalive_timeout).
    std::chrono::nanoseconds keepalive_timeout = std::chrono::seconds(15);
    // Status line and header fields of one response together (BodyTooLarge past it).
    size_t max_header_size = 64 * 1024;
    bool follow_redirects = true;  // off: a 3xx is returned as it is

    // https:// (tls::ClientOptions has the same three). The server's certificate chain is
    // checked against the system's CA store (ca-certificates) when system_trust is set, and
    // against the PEM CAs in ca_file when one is given; its name must match the URL's host,
    // which is also sent as SNI. insecure turns every check off, as aiohttp's ssl=False: anyone
    // in the path can then read and change the traffic (tests and debugging only).
    std::string ca_file;
    bool insecure = false;
    bool system_trust = true;
};

namespace detail {
class SessionCore;
}

// Not copyable or movable. Requests may run concurrently (gather, tasks); a request in flight
// keeps what it needs alive, so destroying the session only closes its pool.
//
// https: the session makes one TLS context at its first https request and shares it among its
// connections, so a new connection to a server seen before resumes the TLS session (a shorter
// handshake). http://h:443 and https://h:443 never share a connection; redirects may cross
// between http and https either way. The handshake counts as part of connecting (the connect
// timeout bounds both). TLS failures keep corio::tls's types, each message naming the host:
// tls::CertificateError (reason(): Expired, NotYetValid, WrongHost, UnknownCa), tls::NotTlsError
// (a plain-HTTP server on an https URL), tls::TruncatedError (the server ended the connection
// without close_notify inside a response: the body may be cut short), tls::TlsError (other
// failures, an unreadable ca_file); all are ConnectionErrors. With corio built without TLS
// (make TLS=0), an https URL throws TlsUnavailable ("TLS is not built in").
class ClientSession {
public:
    // Open nothing yet (no loop needed); never throw but std::bad_alloc.
    ClientSession();
    explicit ClientSession(ClientOptions options);
    ClientSession(const ClientSession&) = delete;
    ClientSession& operator=(const ClientSession&) = delete;
    ~ClientSession();  // close(), without waiting

    // The arguments are copied before the call returns: they need not outlive the Coro.
    // A string that is not a URL throws UrlError when the Coro is awaited. Awaiting a request
    // also throws: TimeoutError (message says which timeout), TooManyRedirects, BodyTooLarge,
    // ProtocolError, HttpError (closed session, bad method or header, unsupported scheme),
    // TlsUnavailable, the connection errors of open_connection (ConnectionRefusedError,
    // DnsError, the tls::TlsError family above, ...), and CancelledError when cancelled. A 4xx or
    // 5xx status is returned, not thrown.
    Coro<Response> get(std::string_view url);
    Coro<Response> get(const Url& url);
    Coro<Response> head(std::string_view url);
    Coro<Response> head(const Url& url);
    Coro<Response> post(std::string_view url, std::string body,
                        std::string content_type = "application/octet-stream");
    Coro<Response> post(const Url& url, std::string body,
                        std::string content_type = "application/octet-stream");
    Coro<Response> request(std::string_view method, std::string_view url, Headers headers = {},
                           std::string body = {});
    Coro<Response> request(std::string_view method, const Url& url, Headers headers = {},
                           std::string body = {});

    // Closes the pool: idle connections now, those in use when their request ends. Later
    // requests throw HttpError. Idempotent; never throws.
    Coro<void> close();
    bool closed() const noexcept;

    const ClientOptions& options() const noexcept;  // as given
    // Connections opened so far (for tests and statistics).
    size_t connections_opened() const noexcept;

private:
    std::shared_ptr<detail::SessionCore> core_;
};

}  // namespace corio::http
