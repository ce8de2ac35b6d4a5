// Internals of http::Url shared by its sources (url_parse.cpp, url_resolve.cpp, url.cpp):
// character classes, a reference split into its RFC 3986 components, and UrlBuilder, the one
// place where text is validated into a Url's fields. Not a public header.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "corio/http/url.hpp"

namespace corio::http::detail {

constexpr bool is_alpha(unsigned char c) noexcept { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
constexpr bool is_digit(unsigned char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_hex(unsigned char c) noexcept {
    return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}
constexpr int hex_value(unsigned char c) noexcept {
    return is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
}
constexpr bool is_unreserved(unsigned char c) noexcept {
    return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
constexpr char to_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}
constexpr char to_upper(char c) noexcept {
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
}
inline constexpr char kHexDigits[] = "0123456789ABCDEF";

// One reference as views into its text (RFC 3986 appendix B). A component that is absent has
// its has_ flag false: an empty query ("?") is present and empty, and section 5.2.2 tells the two
// apart.
struct UrlParts {
    std::string_view scheme, authority, path, query, fragment;
    bool has_scheme = false, has_authority = false, has_query = false, has_fragment = false;
};

// parse() takes a URL as a person or program wrote it and rejects whitespace and control
// characters; resolve() takes an href as a browser does (see url.hpp).
enum class Leniency { strict, href };

// The text to split: `text` itself, or `scratch` holding a cleaned copy when the text has a
// backslash before its query (read as '/') or, for hrefs, tabs or newlines. Hrefs are trimmed.
// Throws UrlError (naming `text`) for characters the mode does not accept.
std::string_view prepare(std::string_view text, Leniency mode, std::string& scratch);

// Splits without validating; never fails.
UrlParts split_reference(std::string_view text) noexcept;

// 80 or 443 for the four schemes (any case), 0 for any other.
uint16_t default_port(std::string_view scheme) noexcept;

// Removes "." and ".." segments (RFC 3986 5.2.4) in place from a path that is empty or starts
// with '/'; "%2e" counts as '.'. The result is empty or starts with '/'.
void remove_dot_segments(std::string& path);

// Throws UrlError: `bad URL "<input>": <what>`, control characters in the input escaped.
[[noreturn]] void fail(std::string_view input, std::string_view what);

// Fills a Url's fields from validated components; `input` is the whole text, for errors.
struct UrlBuilder {
    // The common case of parse(): an already clean "http(s)://host[:port]/path[?query]" with
    // nothing to split apart, encode or clean up, filled without the general path's copies
    // (the same fields it would give). False, with u untouched, for anything else. Throws
    // UrlError for a bad host or port, as the general path would.
    static bool set_plain(Url& u, std::string_view text);
    // An absolute reference: scheme and authority required.
    static void set_absolute(Url& u, const UrlParts& p, std::string_view input);
    // Lower-cased; sets the default port. Throws for a scheme other than the four.
    static void set_scheme(Url& u, std::string_view scheme, std::string_view input);
    // Host and optional port; u's scheme (and so its default port) must be set.
    static void set_authority(Url& u, std::string_view authority, std::string_view input);
    // path = clean_prefix (already valid, from a base) + raw percent-encoded, dots removed.
    static void set_path(Url& u, std::string_view clean_prefix, std::string_view raw);
    static void set_query(Url& u, std::string_view raw);
    static void set_fragment(Url& u, std::string_view raw);
};

}  // namespace corio::http::detail
