// http::Url::resolve: a reference (an href) against a base, RFC 3986 section 5.2.2, and the
// dot-segment removal of 5.2.4 that both resolve and parse apply to every path.
#include <cassert>
#include <cstring>
#include <optional>
#include <string>

#include "corio/http/headers.hpp"
#include "url_parts.hpp"

namespace corio::http {
namespace detail {

namespace {

// Browsers take "%2e" for '.' in a dot segment, so "/a/%2E%2e/b" is "/b" as "/a/../b" is.
bool is_dot(std::string_view s) noexcept { return s == "." || iequals(s, "%2e"); }

bool is_dot_dot(std::string_view s) noexcept {
    switch (s.size()) {
        case 2:
            return s == "..";
        case 4:
            return (s[0] == '.' && iequals(s.substr(1), "%2e")) ||
                   (iequals(s.substr(0, 3), "%2e") && s[3] == '.');
        case 6:
            return iequals(s, "%2e%2e");
        default:
            return false;
    }
}

}  // namespace

void remove_dot_segments(std::string& path) {
    assert(path.empty() || path[0] == '/');
    if (path.find("/.") == std::string::npos && path.find("/%") == std::string::npos) return;
    // The output is path[0, w), kept segments each written as "/seg"; the input is read from
    // r >= w, so writing in place never overtakes reading.
    const size_t n = path.size();
    size_t w = 0, r = 0;
    while (r < n) {
        size_t end = path.find('/', r + 1);
        if (end == std::string::npos) end = n;
        std::string_view seg(path.data() + r + 1, end - r - 1);
        bool dot_dot = is_dot_dot(seg);
        if (dot_dot || is_dot(seg)) {
            if (dot_dot && w > 0) w = path.rfind('/', w - 1);
            // A final "." or ".." names a directory: "/a/b/.." is "/a/".
            if (end == n) path[w++] = '/';
        } else {
            if (w != r) std::memmove(path.data() + w, path.data() + r, end - r);
            w += end - r;
        }
        r = end;
    }
    path.resize(w);
}

}  // namespace detail

Url Url::resolve(std::string_view reference) const {
    using namespace detail;
    std::string scratch;
    UrlParts r = split_reference(prepare(reference, Leniency::href, scratch));
    // RFC 3986 5.2.2's non-strict reading, which browsers share: "http:g" on an http base is
    // the relative "g", not an absolute URL without a host.
    if (r.has_scheme && !r.has_authority && !empty() && iequals(r.scheme, scheme_))
        r.has_scheme = false;
    Url t;
    if (r.has_scheme) {
        UrlBuilder::set_absolute(t, r, reference);
        return t;
    }
    if (empty()) fail(reference, "a relative reference needs a base URL, and the base is empty");
    t.scheme_ = scheme_;
    if (r.has_authority) {  // "//host/path": only the scheme comes from the base
        t.port_ = default_port(scheme_);
        UrlBuilder::set_authority(t, r.authority, reference);
        UrlBuilder::set_path(t, {}, r.path);
        if (r.has_query) UrlBuilder::set_query(t, r.query);
    } else {
        t.host_ = host_;
        t.port_ = port_;
        t.explicit_port_ = explicit_port_;
        t.ipv6_ = ipv6_;
        if (r.path.empty()) {  // "", "?q", "#f": the base's path, and its query unless given
            t.path_ = path_;
            if (r.has_query) {
                UrlBuilder::set_query(t, r.query);
            } else {
                t.query_ = query_;
                t.has_query_ = has_query_;
            }
        } else {
            // A relative path merges with the base's directory (5.2.3); the base path starts
            // with '/', so the merge does too.
            std::string_view dir;
            if (r.path[0] != '/') dir = std::string_view(path_).substr(0, path_.rfind('/') + 1);
            UrlBuilder::set_path(t, dir, r.path);
            if (r.has_query) UrlBuilder::set_query(t, r.query);
        }
    }
    if (r.has_fragment) UrlBuilder::set_fragment(t, r.fragment);
    return t;
}

std::optional<Url> Url::try_resolve(std::string_view reference) const {
    using namespace detail;
    // An exception costs some 13 us here, twenty resolves or so: turn the common non-http
    // links away first. What this misses ("java\nscript:") still ends in nullopt below.
    std::string_view s = reference;
    while (!s.empty() && static_cast<unsigned char>(s.front()) <= 0x20) s.remove_prefix(1);
    UrlParts p = split_reference(s);
    if (p.has_scheme && default_port(p.scheme) == 0) return std::nullopt;
    try {
        return resolve(reference);
    } catch (const UrlError&) {
        return std::nullopt;
    }
}

}  // namespace corio::http
