// http::Url: an absolute http(s)/ws(s) URL, parsed (RFC 3986), resolved against a base
// (section 5) and normalised for de-duplication. Used by the client, the crawler and ws::connect.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "corio/http/errors.hpp"

namespace corio::http {

// Invariant: a Url made by parse() or resolve() is absolute, its scheme and host are lower
// case, its path starts with '/' (an empty path becomes "/"), and port() is the explicit port
// or the scheme's default. A default-constructed Url is empty (str() == "").
class Url {
public:
    Url() = default;
    // Throws UrlError, naming the input and what is wrong, for anything that is not an
    // absolute URL with a host: a missing scheme, user info, a bad port, a bad IPv6 literal,
    // spaces or control characters.
    static Url parse(std::string_view text);

    const std::string& scheme() const noexcept { return scheme_; }
    // The host as written, lower-cased; an IPv6 literal without its brackets.
    const std::string& host() const noexcept { return host_; }
    uint16_t port() const noexcept { return port_; }
    bool has_explicit_port() const noexcept { return explicit_port_; }
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
    // The whole URL.
    std::string str() const;

    // The URL a reference (absolute, or relative as in an href) names against this base,
    // RFC 3986 section 5.2 with dot segments removed. Throws UrlError.
    Url resolve(std::string_view reference) const;
    // The same resource in one spelling: fragment dropped, default port dropped, percent-
    // encoded unreserved characters decoded, other escapes' hex in upper case, dot segments
    // removed. Two URLs with equal normalized().str() are fetched once.
    Url normalized() const;

    friend bool operator==(const Url& a, const Url& b) { return a.str() == b.str(); }

private:
    std::string scheme_, host_, path_, query_, fragment_;
    uint16_t port_ = 0;
    bool explicit_port_ = false, has_query_ = false, has_fragment_ = false, ipv6_ = false;
};

}  // namespace corio::http
