// http::Url: an absolute http(s)/ws(s) URL, parsed (RFC 3986), resolved against a base
// (section 5) and normalised for de-duplication. Used by the client, the crawler and ws::connect.
//
// Threads: a plain value, usable on any thread (const members may be shared). Throws: only
// parse() and resolve() throw (UrlError); the rest never throws but std::bad_alloc.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "corio/http/errors.hpp"

namespace corio::http {

namespace detail {
struct UrlBuilder;
}

// Invariant: a Url made by parse() or resolve() is absolute, its scheme is one of http, https,
// ws, wss, its scheme and host are lower case, its path starts with '/' (an empty path becomes
// "/") and has no dot segments, port() is the explicit port or the scheme's default, and path,
// query and fragment hold only characters RFC 3986 allows there, every '%' starting a
// two-hex-digit escape. A default-constructed Url is empty (str() == "").
//
// What is accepted, and how far it follows browsers (WHATWG) rather than the letter of RFC 3986:
// - Schemes http, https, ws, wss (any case); any other (mailto:, javascript:, data:, ftp:) is a
//   UrlError, from parse() and resolve() alike, so a crawler skips a link by catching UrlError.
// - Host: a name of letters, digits, '-', '.', '_'; a dotted-quad IPv4 address (four decimal
//   parts 0-255, no leading zeros); or an IPv6 literal in brackets (checked with inet_pton, no
//   zone id). Host names are only lower-cased: IDNA is out of scope, a non-ASCII host is a
//   UrlError (write the xn-- form). User info ("user:pass@host") is a UrlError.
// - Port 1-65535; "host:" with no digits means the default port.
// - A backslash before the query counts as '/', as browsers do for these schemes.
// - Non-ASCII bytes (UTF-8 as given, not validated) and characters RFC 3986 does not allow in
//   a component ('"', '<', '>', '{', '|', '^', '[', a second '#', a lone '%', ...) are
//   percent-encoded; existing escapes are kept as written. Dot segments are removed from the
//   path ("%2e" counts as '.', as in browsers).
class Url {
public:
    Url() = default;
    // Parses a URL as a person or a program writes it. Throws UrlError, naming the input and
    // what is wrong, for anything that is not an absolute URL with a host: an empty string, a
    // missing or unsupported scheme, a relative reference, an empty host, user info, a bad port,
    // a bad IPv4 or IPv6 literal, spaces or control characters anywhere.
    static Url parse(std::string_view text);

    const std::string& scheme() const noexcept { return scheme_; }
    // The host as written, lower-cased; an IPv6 literal without its brackets.
    const std::string& host() const noexcept { return host_; }
    uint16_t port() const noexcept { return port_; }
    // Whether the text named a port (even the default one); str() omits a default port anyway.
    bool has_explicit_port() const noexcept { return explicit_port_; }
    bool is_ipv6() const noexcept { return ipv6_; }
    const std::string& path() const noexcept { return path_; }
    const std::string& query() const noexcept { return query_; }  // without '?'
    bool has_query() const noexcept { return has_query_; }
    const std::string& fragment() const noexcept { return fragment_; }  // without '#'
    bool has_fragment() const noexcept { return has_fragment_; }
    bool is_secure() const noexcept { return scheme_ == "https" || scheme_ == "wss"; }
    bool empty() const noexcept { return scheme_.empty(); }

    // Path and query, as sent in a request line ("/a/b?x=1").
    std::string target() const;
    // "host" or "host:port" (the port only when not the default), brackets kept for IPv6:
    // what a Host header carries.
    std::string authority() const;
    // The whole URL: scheme, authority (as above), target, and "#fragment" when there is one.
    std::string str() const;

    // The URL a reference (absolute, or relative as in an href) names against this base,
    // RFC 3986 section 5.2 with dot segments removed. Throws UrlError. An href is taken as a
    // browser takes it: leading and trailing whitespace and control characters are stripped,
    // tabs and newlines inside are dropped, inner spaces become %20 (other control characters
    // are an error). "http:g" against an http base is the relative "g" (RFC 3986 5.4.2's
    // non-strict reading, as browsers do). A reference with another scheme than the four above
    // throws, so does any reference against an empty base unless it is absolute. The result
    // may be ws:// or wss://: a crawler checks scheme() before fetching.
    Url resolve(std::string_view reference) const;
    // resolve() for a crawler's link pass: nullopt where resolve() would throw. A reference
    // with another scheme (mailto:, javascript:, tel:, which pages are full of) costs no
    // exception: it is turned away before resolving.
    std::optional<Url> try_resolve(std::string_view reference) const;
    // The same resource in one spelling: fragment dropped, default port dropped, percent-
    // encoded unreserved characters (ALPHA DIGIT - . _ ~) decoded, other escapes' hex in upper
    // case, an IPv6 host in inet_ntop's canonical form. Two URLs with equal
    // normalized().str() are fetched once.
    Url normalized() const;

    // Equal exactly when str() is equal (a default port written or not makes no difference).
    friend bool operator==(const Url& a, const Url& b) noexcept {
        return a.port_ == b.port_ && a.has_query_ == b.has_query_ &&
               a.has_fragment_ == b.has_fragment_ && a.scheme_ == b.scheme_ && a.host_ == b.host_ &&
               a.path_ == b.path_ && a.query_ == b.query_ && a.fragment_ == b.fragment_;
    }

private:
    friend struct detail::UrlBuilder;
    void append_authority(std::string& out) const;
    void append_target(std::string& out) const;

    std::string scheme_, host_, path_, query_, fragment_;
    uint16_t port_ = 0;
    bool explicit_port_ = false, has_query_ = false, has_fragment_ = false, ipv6_ = false;
};

}  // namespace corio::http
