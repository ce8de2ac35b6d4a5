// One request and its response on a pooled connection: the request head built into the
// connection's buffer and written at once, the response read through the connection's parser
// with the read timeout between reads, the body decoded as it arrives. A kept-alive connection
// the server had closed (end of stream or reset before any response byte) is retried once on a
// fresh connection when the method is idempotent.
#include <array>
#include <chrono>
#include <utility>

#include "client_connection.hpp"
#include "client_session.hpp"
#include "corio/connect.hpp"
#include "corio/timeout.hpp"

namespace corio::http::detail {

namespace {

std::string host_port(const Url& url) {
    std::string s;
    bool v6 = url.host().find(':') != std::string::npos;
    if (v6) s += '[';
    s += url.host();
    if (v6) s += ']';
    s += ':';
    s += std::to_string(url.port());
    return s;
}

bool idempotent(std::string_view m) {
    return m == "GET" || m == "HEAD" || m == "OPTIONS" || m == "PUT" || m == "DELETE" ||
           m == "TRACE";
}

// The server closed a kept-alive connection before answering: safe to retry when idempotent.
struct StaleConnection {
    std::exception_ptr error;  // what to throw when it cannot be retried
};

bool is_token(std::string_view s) {
    // RFC 9110 tchar, as a table: this runs for every request's method and header names.
    static constexpr auto kToken = [] {
        std::array<bool, 256> t{};
        for (int c = 33; c < 127; ++c) t[c] = true;
        for (char c : std::string_view("\"(),/:;<=>?@[\\]{}"))
            t[static_cast<unsigned char>(c)] = false;
        return t;
    }();
    if (s.empty()) return false;
    for (unsigned char ch : s) {
        if (!kToken[ch]) return false;
    }
    return true;
}

void check_field(std::string_view name, std::string_view value) {
    bool bad = !is_token(name);
    for (char ch : value) bad = bad || ch == '\r' || ch == '\n' || ch == '\0';
    if (bad) {
        throw HttpError("invalid request header field \"" + std::string(name) +
                        "\": names are tokens, values have no CR, LF or NUL");
    }
}

}  // namespace

// The session's own fields (ClientOptions::headers, user_agent) are checked once, here; each
// request still throws what they are found to break.
std::string options_error(const ClientOptions& o) {
    try {
        for (const auto& f : o.headers) check_field(f.name, f.value);
        check_field("User-Agent", o.user_agent);
    } catch (const HttpError& e) {
        return e.what();
    }
    return {};
}

namespace {

// Refuses what would let a caller's string split the request, before any connection is used.
void validate(const Outgoing& req, const std::string& options_error) {
    if (!is_token(req.method)) throw HttpError("invalid request method \"" + req.method + "\"");
    if (!options_error.empty()) throw HttpError(options_error);
    for (const auto& f : req.headers) check_field(f.name, f.value);
    check_field("Content-Type", req.content_type);
}

void add_field(std::string& out, std::string_view name, std::string_view value) {
    out.append(name);
    out.append(": ");
    out.append(value);
    out.append("\r\n");
}

// What one read may return: the stream receives up to 256 KiB at once, and asking for all of it
// keeps the stream from copying the rest into its own buffer.
constexpr size_t kReadMax = 256 * 1024;

// Small bodies travel in the head's buffer: one write, one packet.
constexpr size_t kInlineBody = 16 * 1024;

void build_head(std::string& out, const Outgoing& req, const ClientOptions& o) {
    const Url& u = req.url;
    out.clear();
    out.append(req.method);
    out += ' ';
    out.append(u.path());
    if (u.has_query()) {
        out += '?';
        out.append(u.query());
    }
    out.append(" HTTP/1.1\r\n");
    const Headers& h = req.headers;
    if (!h.contains("Host")) {
        out.append("Host: ");
        bool v6 = u.host().find(':') != std::string::npos;
        if (v6) out += '[';
        out.append(u.host());
        if (v6) out += ']';
        if (u.port() != (u.scheme() == "https" ? 443 : 80)) {
            out += ':';
            out.append(std::to_string(u.port()));
        }
        out.append("\r\n");
    }
    if (!h.contains("User-Agent") && !o.headers.contains("User-Agent") && !o.user_agent.empty()) {
        add_field(out, "User-Agent", o.user_agent);
    }
    if (!h.contains("Accept") && !o.headers.contains("Accept")) out.append("Accept: */*\r\n");
    if (o.decompress && !h.contains("Accept-Encoding") && !o.headers.contains("Accept-Encoding")) {
        out.append("Accept-Encoding: gzip, deflate\r\n");
    }
    for (const auto& f : o.headers) {
        if (!h.contains(f.name)) add_field(out, f.name, f.value);
    }
    for (const auto& f : h) {
        if (iequals(f.name, "Content-Length") || iequals(f.name, "Transfer-Encoding")) continue;
        add_field(out, f.name, f.value);
    }
    bool has_body =
        !req.body.empty() || req.method == "POST" || req.method == "PUT" || req.method == "PATCH";
    if (has_body) {
        if (!req.content_type.empty() && !h.contains("Content-Type")) {
            add_field(out, "Content-Type", req.content_type);
        }
        out.append("Content-Length: ");
        out.append(std::to_string(req.body.size()));
        out.append("\r\n");
    }
    out.append("\r\n");
    if (req.body.size() <= kInlineBody) out.append(req.body);
}

[[noreturn]] void throw_parse_error(Parser& p, const Url& url) {
    std::string where = " (from " + url.str() + ")";
    switch (p.error()) {
        case ParseError::LineTooLong:
        case ParseError::HeadersTooLarge:
            throw BodyTooLarge("response header block too large: " + p.error_reason() + where);
        case ParseError::BodyTooLarge:
            throw BodyTooLarge("response body too large (max_body_size): " + p.error_reason() +
                               where);
        default:
            throw ProtocolError("malformed response: " + p.error_reason() + where);
    }
}

// Sends body bytes of the response being read to its string, decoding when asked. Set once per
// connection; the per-response state lives in the Connection.
void on_body(Connection& c, std::string_view piece) {
    if (!c.body_started) {
        c.body_started = true;
        if (c.decode) {
            auto enc = c.parser.headers().get("Content-Encoding");
            Coding coding = coding_of(enc.value_or(""));
            if (coding == Coding::Gzip || coding == Coding::Deflate) {
                c.decoder.start(coding, c.max_body);
            }
        }
    }
    if (c.decoder.active()) {
        c.decoder.feed(piece, *c.body);
        return;
    }
    if (c.body->size() + piece.size() > c.max_body) {
        throw BodyTooLarge("response body over " + std::to_string(c.max_body) +
                           " bytes (max_body_size)");
    }
    c.body->append(piece);
}

// Clears the connection's per-response state however the exchange ends.
struct ResponseScope {
    Connection& c;
    ResponseScope(Connection& conn, Response& r, const ClientOptions& o) : c(conn) {
        c.body = &r.body;
        c.max_body = o.max_body_size;
        c.decode = o.decompress;
        c.body_started = false;
    }
    ~ResponseScope() {
        c.body = nullptr;
        if (c.decoder.active()) {
            try {
                c.decoder.finish();
            } catch (...) {
            }
        }
    }
};

}  // namespace

Coro<Stream> SessionCore::connect(const Url& url) {
    ConnectOptions co;
    auto limit = options.timeout.connect;
    co.timeout = limit;
    bool secure = url.scheme() == "https";
    if (secure) {
        // Verified against the URL's host (and sent as SNI), whatever address it resolves to.
        co.tls = tls_context(url);
        co.handshake_timeout = limit;
    }
    try {
        if (limit.count() <= 0) co_return co_await open_connection(url.host(), url.port(), co);
        // open_connection's own timeout leaves the name lookup out: bound the whole of it.
        co_return co_await wait_for(open_connection(url.host(), url.port(), co), limit);
    } catch (const LabelledTimeout&) {
        throw;
    } catch (const TimeoutError&) {
        throw LabelledTimeout("connect timeout: no " + std::string(secure ? "TLS " : "") +
                              "connection to " + host_port(url) + " within " + ms_text(limit) +
                              (secure ? " (TCP connect and TLS handshake)" : ""));
    }
}

namespace {

// Reads one response from c into r. Returns whether the connection may be kept. Throws
// StaleConnection when the stream ends or resets before the first response byte.
Coro<bool> read_response(Connection& c, Response& r, const Url& url, const ClientOptions& o,
                         bool head) {
    Parser& p = c.parser;
    p.expect_head_response(head);
    ResponseScope scope(c, r, o);
    bool received = false;
    auto read_limit = o.timeout.read;
    for (;;) {
        std::string data;
        try {
            if (read_limit.count() > 0) {
                data = co_await wait_for(c.stream.read(kReadMax), read_limit);
            } else {
                data = co_await c.stream.read(kReadMax);
            }
        } catch (const TimeoutError&) {
            throw LabelledTimeout("read timeout: " + url.str() + " sent nothing for " +
                                  ms_text(read_limit));
        } catch (const ConnectionError&) {
            if (!received) throw StaleConnection{std::current_exception()};
            throw;
        }
        if (data.empty()) {
            switch (p.finish()) {
                case Parser::Eof::Idle:
                    if (!received) {
                        throw StaleConnection{std::make_exception_ptr(ConnectionError(
                            "server closed the connection without answering: " + url.str()))};
                    }
                    [[fallthrough]];
                case Parser::Eof::Truncated:
                    throw ProtocolError(
                        "truncated response: the connection closed inside " +
                        std::string(p.headers_complete() ? "the body" : "the head") + " (from " +
                        url.str() + ")");
                case Parser::Eof::Complete:
                    break;
            }
            if (c.decoder.active()) c.decoder.finish();
            r.status = p.status();
            r.reason = std::move(p.reason());
            r.headers = std::move(p.headers());
            co_return false;
        }
        received = true;
        Parser::Result res = p.feed(data);
        if (res.status == Parser::Status::NeedMore) continue;
        if (res.status == Parser::Status::Error) throw_parse_error(p, url);
        if (res.status == Parser::Status::Upgrade) {
            throw ProtocolError("unexpected protocol switch (status " + std::to_string(p.status()) +
                                ") from " + url.str());
        }
        if (c.decoder.active()) c.decoder.finish();
        r.status = p.status();
        r.reason = std::move(p.reason());
        r.headers = std::move(p.headers());
        // Bytes after the response were not asked for (no pipelining): do not reuse.
        co_return p.keep_alive() && res.consumed == data.size();
    }
}

}  // namespace

Coro<void> SessionCore::exchange(const Outgoing& req, Response& r) {
    const Url& url = req.url;
    if (url.scheme() != "http" && url.scheme() != "https") {
        throw HttpError("unsupported URL scheme \"" + url.scheme() + "\": " + url.str());
    }
    validate(req, options_error_);
    std::string key = pool_key(url);
    bool fresh_only = false;
    for (;;) {
        Lease lease = co_await pool.acquire(key, fresh_only);
        if (!lease.connection()) {
            Stream s = co_await connect(url);
            Connection& c = lease.attach(std::move(s), limits);
            c.parser.set_body_sink([&c](std::string_view piece) { on_body(c, piece); });
            ++connections_opened;
        }
        Connection& c = *lease.connection();
        bool reused = lease.reused();
        try {
            build_head(c.out, req, options);
            c.stream.write(c.out);
            if (req.body.size() > kInlineBody) c.stream.write(req.body);
            if (c.out.capacity() > 64 * 1024) std::string().swap(c.out);
            co_await c.stream.drain();
        } catch (const ConnectionError&) {
            if (!reused || fresh_only || !idempotent(req.method)) throw;
            fresh_only = true;
            continue;
        }
        try {
            bool keep = co_await read_response(c, r, url, options, req.method == "HEAD");
            if (keep) {
                lease.release();
            } else {
                lease.discard();
            }
            co_return;
        } catch (const StaleConnection& stale) {
            if (!reused || fresh_only || !idempotent(req.method)) {
                std::rethrow_exception(stale.error);
            }
        }
        r = Response{};     // whatever the stale connection began to fill in
        fresh_only = true;  // the lease closed the stale connection as it went
    }
}

}  // namespace corio::http::detail
