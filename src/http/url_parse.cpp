// http::Url parsing: the text cleaned (prepare), split into RFC 3986 components (appendix B),
// then each component validated (the authority in url_host.cpp) and percent-encoded into the Url
// (UrlBuilder). No regex and at most one scratch copy per call: the crawler runs this per link.
#include <algorithm>
#include <string>

#include "corio/http/headers.hpp"
#include "url_parts.hpp"

namespace corio::http {
namespace detail {

namespace {

// Which bytes a component may hold unescaped: RFC 3986's pchar (unreserved, sub-delims, ':',
// '@') plus '/' in a path, plus '/' and '?' in a query or fragment. '%' is handled apart.
struct AllowedSets {
    bool path[256];
    bool query[256];
};

constexpr bool is_sub_delim(unsigned char c) noexcept {
    return std::string_view("!$&'()*+,;=").find(static_cast<char>(c)) != std::string_view::npos;
}

constexpr AllowedSets make_allowed_sets() {
    AllowedSets s{};
    for (int c = 0; c < 256; ++c) {
        auto b = static_cast<unsigned char>(c);
        bool pchar = is_unreserved(b) || is_sub_delim(b) || b == ':' || b == '@';
        s.path[c] = pchar || b == '/';
        s.query[c] = pchar || b == '/' || b == '?';
    }
    return s;
}

constexpr AllowedSets kAllowed = make_allowed_sets();

// Appends raw to out, escaping every byte the component may not hold; a '%' that starts a
// valid escape is kept, a lone one becomes "%25".
void append_encoded(std::string& out, std::string_view raw, const bool* allowed) {
    auto keep = [&](size_t i) {
        auto c = static_cast<unsigned char>(raw[i]);
        if (allowed[c]) return true;
        return c == '%' && i + 2 < raw.size() && is_hex(raw[i + 1]) && is_hex(raw[i + 2]);
    };
    size_t clean = 0;
    while (clean < raw.size() && keep(clean)) ++clean;
    out.append(raw.substr(0, clean));
    for (size_t i = clean; i < raw.size(); ++i) {
        if (keep(i)) {
            out += raw[i];
            continue;
        }
        auto c = static_cast<unsigned char>(raw[i]);
        out += '%';
        out += kHexDigits[c >> 4];
        out += kHexDigits[c & 15];
    }
}

bool is_control(unsigned char c) noexcept { return c < 0x20 || c == 0x7f; }

std::string describe_char(unsigned char c, size_t offset) {
    std::string what =
        c == ' ' ? std::string("space")
                 : std::string("control character 0x") + kHexDigits[c >> 4] + kHexDigits[c & 15];
    return what + " at offset " + std::to_string(offset);
}

}  // namespace

[[noreturn]] void fail(std::string_view input, std::string_view what) {
    constexpr size_t kShown = 200;  // a multi-kilobyte data: URL should not flood a log line
    std::string msg = "bad URL \"";
    for (char ch : input.substr(0, kShown)) {
        auto c = static_cast<unsigned char>(ch);
        if (!is_control(c)) {
            msg += ch;
            continue;
        }
        msg += "\\x";
        msg += kHexDigits[c >> 4];
        msg += kHexDigits[c & 15];
    }
    if (input.size() > kShown) msg += "...";
    msg += "\": ";
    msg += what;
    throw UrlError(msg);
}

uint16_t default_port(std::string_view scheme) noexcept {
    if (iequals(scheme, "http") || iequals(scheme, "ws")) return 80;
    if (iequals(scheme, "https") || iequals(scheme, "wss")) return 443;
    return 0;
}

std::string_view prepare(std::string_view text, Leniency mode, std::string& scratch) {
    const std::string_view input = text;
    if (mode == Leniency::href) {
        // Browsers strip C0 controls and spaces around an href, and drop tabs and newlines
        // inside it (an href split over lines in the HTML source).
        auto blank = [](char c) { return static_cast<unsigned char>(c) <= 0x20; };
        while (!text.empty() && blank(text.front())) text.remove_prefix(1);
        while (!text.empty() && blank(text.back())) text.remove_suffix(1);
    }
    const size_t skipped = static_cast<size_t>(text.data() - input.data());
    bool needs_copy = false, before_query = true;
    for (size_t i = 0; i < text.size(); ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c == '?' || c == '#') {
            before_query = false;
        } else if (c == '\\') {
            needs_copy = needs_copy || before_query;
        } else if (c == ' ' || is_control(c)) {
            bool dropped = c == '\t' || c == '\n' || c == '\r';
            if (mode == Leniency::strict || (c != ' ' && !dropped))
                fail(input, describe_char(c, skipped + i));
            needs_copy = needs_copy || dropped;
        }
    }
    if (!needs_copy) return text;
    scratch.clear();
    scratch.reserve(text.size());
    before_query = true;
    for (char c : text) {
        if (c == '\t' || c == '\n' || c == '\r') continue;
        if (c == '?' || c == '#') before_query = false;
        scratch += (c == '\\' && before_query) ? '/' : c;
    }
    return scratch;
}

UrlParts split_reference(std::string_view s) noexcept {
    UrlParts p;
    if (!s.empty() && is_alpha(s[0])) {
        size_t i = 1;
        while (i < s.size() &&
               (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.'))
            ++i;
        if (i < s.size() && s[i] == ':') {
            p.scheme = s.substr(0, i);
            p.has_scheme = true;
            s.remove_prefix(i + 1);
        }
    }
    if (s.size() >= 2 && s[0] == '/' && s[1] == '/') {
        s.remove_prefix(2);
        p.authority = s.substr(0, s.find_first_of("/?#"));
        p.has_authority = true;
        s.remove_prefix(p.authority.size());
    }
    p.path = s.substr(0, s.find_first_of("?#"));
    s.remove_prefix(p.path.size());
    if (!s.empty() && s[0] == '?') {
        s.remove_prefix(1);
        p.query = s.substr(0, s.find('#'));
        p.has_query = true;
        s.remove_prefix(p.query.size());
    }
    if (!s.empty()) {  // s[0] == '#'
        p.fragment = s.substr(1);
        p.has_fragment = true;
    }
    return p;
}

void UrlBuilder::set_scheme(Url& u, std::string_view scheme, std::string_view input) {
    u.port_ = default_port(scheme);
    if (u.port_ == 0)
        fail(input, "unsupported scheme \"" + std::string(scheme) +
                        "\" (only http, https, ws and wss are supported)");
    u.scheme_.assign(scheme);
    std::transform(u.scheme_.begin(), u.scheme_.end(), u.scheme_.begin(), to_lower);
    u.explicit_port_ = false;
}

void UrlBuilder::set_path(Url& u, std::string_view clean_prefix, std::string_view raw) {
    u.path_.reserve(clean_prefix.size() + raw.size());
    u.path_.assign(clean_prefix);
    append_encoded(u.path_, raw, kAllowed.path);
    remove_dot_segments(u.path_);
    if (u.path_.empty()) u.path_ = "/";
}

void UrlBuilder::set_query(Url& u, std::string_view raw) {
    u.query_.clear();
    append_encoded(u.query_, raw, kAllowed.query);
    u.has_query_ = true;
}

void UrlBuilder::set_fragment(Url& u, std::string_view raw) {
    u.fragment_.clear();
    append_encoded(u.fragment_, raw, kAllowed.query);
    u.has_fragment_ = true;
}

bool UrlBuilder::set_plain(Url& u, std::string_view text) {
    std::string_view scheme;
    if (text.starts_with("http://")) {
        scheme = text.substr(0, 4);
    } else if (text.starts_with("https://")) {
        scheme = text.substr(0, 5);
    } else {
        return false;
    }
    std::string_view rest = text.substr(scheme.size() + 3);
    size_t auth_end = 0;
    for (; auth_end < rest.size(); ++auth_end) {
        char c = rest[auth_end];
        if (c == '/' || c == '?') break;
        // What the general path would lower-case, reject or take apart (brackets, '@') goes
        // there; set_authority below still validates the host name and the port.
        if (!(is_digit(c) || (c >= 'a' && c <= 'z') || c == '.' || c == '-' || c == '_' ||
              c == ':'))
            return false;
    }
    if (auth_end == 0) return false;
    std::string_view path = rest.substr(auth_end);
    std::string_view query;
    size_t q = path.find('?');
    if (q != std::string_view::npos) {
        query = path.substr(q + 1);
        path = path.substr(0, q);
    }
    // Nothing to encode (so no '%', '#', space, control or non-ASCII byte), no dot segment.
    for (char c : path)
        if (!kAllowed.path[static_cast<unsigned char>(c)]) return false;
    for (char c : query)
        if (!kAllowed.query[static_cast<unsigned char>(c)]) return false;
    if (path.find("/.") != std::string_view::npos) return false;
    set_scheme(u, scheme, text);
    set_authority(u, rest.substr(0, auth_end), text);
    if (path.empty()) {
        u.path_ = "/";
    } else {
        u.path_.assign(path);
    }
    if (q != std::string_view::npos) {
        u.query_.assign(query);
        u.has_query_ = true;
    }
    return true;
}

void UrlBuilder::set_absolute(Url& u, const UrlParts& p, std::string_view input) {
    set_scheme(u, p.scheme, input);
    if (!p.has_authority)
        fail(input, "no host (expected \"//\" after \"" + std::string(p.scheme) + ":\")");
    set_authority(u, p.authority, input);
    set_path(u, {}, p.path);
    if (p.has_query) set_query(u, p.query);
    if (p.has_fragment) set_fragment(u, p.fragment);
}

}  // namespace detail

Url Url::parse(std::string_view text) {
    using namespace detail;
    if (text.empty()) fail(text, "an empty string is not a URL");
    Url u;
    if (UrlBuilder::set_plain(u, text)) return u;
    std::string scratch;
    UrlParts p = split_reference(prepare(text, Leniency::strict, scratch));
    if (!p.has_scheme)
        fail(text, "no scheme (a relative reference needs Url::resolve against a base)");
    // "localhost:8080/x" reads as scheme "localhost": say what was probably meant.
    if (default_port(p.scheme) == 0 && !p.has_authority && !p.path.empty() && is_digit(p.path[0]))
        fail(text, "no scheme (write \"http://" + std::string(text) + "\")");
    UrlBuilder::set_absolute(u, p, text);
    return u;
}

}  // namespace corio::http
