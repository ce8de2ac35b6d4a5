// http::Url serialisation (target, authority, str) and normalisation for de-duplication.
// Each string is built with one allocation: the crawler serialises every link it keeps.
#include <arpa/inet.h>

#include <charconv>
#include <string>

#include "url_parts.hpp"

namespace corio::http {

namespace {

// Decodes escapes of unreserved characters and upper-cases the hex of the others, in place.
// Relies on the invariant that every '%' starts a two-hex-digit escape.
void normalize_escapes(std::string& s) {
    using namespace detail;
    size_t r = s.find('%');
    if (r == std::string::npos) return;
    size_t w = r;
    while (r < s.size()) {
        if (s[r] != '%' || r + 2 >= s.size()) {
            s[w++] = s[r++];
            continue;
        }
        auto c = static_cast<unsigned char>(hex_value(s[r + 1]) * 16 + hex_value(s[r + 2]));
        if (is_unreserved(c)) {
            s[w++] = static_cast<char>(c);
        } else {
            s[w++] = '%';
            s[w++] = to_upper(s[r + 1]);
            s[w++] = to_upper(s[r + 2]);
        }
        r += 3;
    }
    s.resize(w);
}

// One spelling per IPv6 address ("0:0::1" and "::1" are one host).
std::string canonical_ipv6(const std::string& host) {
    in6_addr addr;
    char buf[INET6_ADDRSTRLEN];
    if (inet_pton(AF_INET6, host.c_str(), &addr) != 1 ||
        inet_ntop(AF_INET6, &addr, buf, sizeof buf) == nullptr)
        return host;  // unreachable for a parsed Url: the literal was checked with inet_pton
    return buf;
}

}  // namespace

void Url::append_authority(std::string& out) const {
    if (ipv6_) out += '[';
    out += host_;
    if (ipv6_) out += ']';
    if (port_ != detail::default_port(scheme_)) {
        char digits[8];
        auto res = std::to_chars(digits, digits + sizeof digits, port_);
        out += ':';
        out.append(digits, res.ptr);
    }
}

void Url::append_target(std::string& out) const {
    out += path_;
    if (has_query_) {
        out += '?';
        out += query_;
    }
}

std::string Url::target() const {
    std::string out;
    out.reserve(path_.size() + query_.size() + 1);
    append_target(out);
    return out;
}

std::string Url::authority() const {
    std::string out;
    out.reserve(host_.size() + 8);
    append_authority(out);
    return out;
}

std::string Url::str() const {
    if (empty()) return {};
    std::string out;
    out.reserve(scheme_.size() + 3 + host_.size() + 8 + path_.size() + query_.size() + 1 +
                fragment_.size() + 1);
    out += scheme_;
    out += "://";
    append_authority(out);
    append_target(out);
    if (has_fragment_) {
        out += '#';
        out += fragment_;
    }
    return out;
}

Url Url::normalized() const {
    Url n;
    n.scheme_ = scheme_;
    n.host_ = ipv6_ ? canonical_ipv6(host_) : host_;
    n.port_ = port_;
    n.explicit_port_ = explicit_port_ && port_ != detail::default_port(scheme_);
    n.ipv6_ = ipv6_;
    n.path_ = path_;
    // Dot segments need no second pass: "%2e" segments were removed already, and a decoded
    // '.' elsewhere ("a%2Eb") is inside a longer segment.
    normalize_escapes(n.path_);
    n.query_ = query_;
    n.has_query_ = has_query_;
    normalize_escapes(n.query_);
    return n;
}

}  // namespace corio::http
