// http::Url's authority: host (registered name, dotted-quad IPv4, bracketed IPv6) and port,
// validated into a Url. IDNA is out of scope: a non-ASCII host is an error, not a translation.
#include <arpa/inet.h>

#include <algorithm>
#include <string>

#include "url_parts.hpp"

namespace corio::http::detail {

namespace {

void check_ipv4(std::string_view host, std::string_view input) {
    int parts = 0;
    while (true) {
        size_t dot = host.find('.');
        std::string_view part = host.substr(0, dot);
        bool ok = !part.empty() && part.size() <= 3 && (part.size() == 1 || part[0] != '0');
        int value = 0;
        for (char c : part) value = value * 10 + (c - '0');
        if (!ok || value > 255 || ++parts > 4) break;
        if (dot == std::string_view::npos) {
            if (parts == 4) return;
            break;
        }
        host.remove_prefix(dot + 1);
    }
    fail(input, "bad IPv4 address (four decimal parts 0-255, no leading zeros)");
}

// A registered name or a dotted quad; anything all digits and dots must be the latter.
void check_host_name(std::string_view host, std::string_view input) {
    if (host.empty()) fail(input, "empty host");
    bool numeric = true;
    for (char ch : host) {
        auto c = static_cast<unsigned char>(ch);
        if (c >= 0x80)
            fail(input, "non-ASCII host name (IDNA is not supported: use the xn-- form)");
        if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '.' && c != '_')
            fail(input, std::string("bad character '") + ch + "' in host");
        numeric = numeric && (is_digit(c) || c == '.');
    }
    if (numeric) check_ipv4(host, input);
}

void check_ipv6(std::string_view literal, std::string_view input) {
    char buf[INET6_ADDRSTRLEN + 1];
    in6_addr addr;
    bool ok = literal.size() < sizeof buf;
    if (ok) {
        std::copy(literal.begin(), literal.end(), buf);
        buf[literal.size()] = '\0';
        ok = inet_pton(AF_INET6, buf, &addr) == 1;
    }
    if (!ok) fail(input, "bad IPv6 address \"" + std::string(literal) + "\"");
}

uint16_t parse_port(std::string_view text, std::string_view input) {
    uint32_t value = 0;
    for (char c : text) {
        if (!is_digit(c)) fail(input, "bad port \"" + std::string(text) + "\"");
        if (value <= 65535) value = value * 10 + static_cast<uint32_t>(c - '0');
    }
    if (value == 0 || value > 65535)
        fail(input, "port " + std::string(text) + " out of range (1-65535)");
    return static_cast<uint16_t>(value);
}

}  // namespace

void UrlBuilder::set_authority(Url& u, std::string_view auth, std::string_view input) {
    if (auth.find('@') != std::string_view::npos)
        fail(input, "user info (\"name@\" before the host) is not supported");
    std::string_view host;
    const bool ipv6 = !auth.empty() && auth[0] == '[';
    if (ipv6) {
        size_t close = auth.find(']');
        if (close == std::string_view::npos) fail(input, "unterminated IPv6 literal (no ']')");
        host = auth.substr(1, close - 1);
        check_ipv6(host, input);
        auth.remove_prefix(close + 1);
        if (!auth.empty() && auth[0] != ':') fail(input, "unexpected text after the IPv6 literal");
    } else {
        host = auth.substr(0, auth.find(':'));
        if (host.empty() && auth.find(':', 1) != std::string_view::npos)
            fail(input, "an IPv6 address must be in brackets");
        check_host_name(host, input);
        auth.remove_prefix(host.size());
    }
    u.host_.assign(host);
    std::transform(u.host_.begin(), u.host_.end(), u.host_.begin(), to_lower);
    u.ipv6_ = ipv6;
    if (auth.size() > 1) {  // ":port"; a bare ':' means the default port (RFC 3986 3.2.3)
        u.port_ = parse_port(auth.substr(1), input);
        u.explicit_port_ = true;
    }
}

}  // namespace corio::http::detail
