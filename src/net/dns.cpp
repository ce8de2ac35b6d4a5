// resolve(): numeric addresses parsed on the loop thread, `localhost` answered without a
// lookup, other names looked up by getaddrinfo on a resolver thread (it blocks, as in
// asyncio; see resolver.hpp). Layer 5. The lookup's outcome crosses back as plain data (an EAI
// code and addresses) and becomes a DnsError on the loop thread.
#include "corio/dns.hpp"

#include <arpa/inet.h>
#include <netdb.h>

#include <cstring>
#include <string_view>

#include "corio/detail/loop_access.hpp"
#include "corio/loop.hpp"
#include "resolver.hpp"
#include "socket.hpp"

namespace corio {

uint16_t SocketAddress::port() const noexcept {
    if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
    if (family() == AF_INET6) {
        return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
    }
    return 0;
}

std::string SocketAddress::to_string() const { return detail::format_address(get()); }

namespace detail {

namespace {

bool wants(Family f, int family) {
    return f == Family::Any || (f == Family::V4 && family == AF_INET) ||
           (f == Family::V6 && family == AF_INET6);
}

SocketAddress make_v4(const in_addr& a, uint16_t port) {
    SocketAddress out;
    auto* in = reinterpret_cast<sockaddr_in*>(&out.storage);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    in->sin_addr = a;
    out.length = sizeof(sockaddr_in);
    return out;
}

SocketAddress make_v6(const in6_addr& a, uint16_t port) {
    SocketAddress out;
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    in6->sin6_addr = a;
    out.length = sizeof(sockaddr_in6);
    return out;
}

}  // namespace

// The addresses for host without any lookup, or false when host is a name. Brackets around an
// IPv6 literal are accepted ("[::1]").
bool parse_numeric(const std::string& host, uint16_t port, Family family, bool passive,
                   std::vector<SocketAddress>& out) {
    if (host.empty()) {
        if (!passive) return false;
        if (wants(family, AF_INET)) out.push_back(make_v4(in_addr{htonl(INADDR_ANY)}, port));
        if (wants(family, AF_INET6)) out.push_back(make_v6(in6addr_any, port));
        return true;
    }
    std::string h = host;
    if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
    in_addr a4{};
    in6_addr a6{};
    if (inet_pton(AF_INET, h.c_str(), &a4) == 1) {
        if (wants(family, AF_INET)) out.push_back(make_v4(a4, port));
        return true;
    }
    if (inet_pton(AF_INET6, h.c_str(), &a6) == 1) {
        if (wants(family, AF_INET6)) out.push_back(make_v6(a6, port));
        return true;
    }
    return false;
}

// RFC 6761 section 6.3: `localhost` and every name under `.localhost` are the loopback
// addresses, answered without asking the system resolver (as curl and Go do), so they work
// on a machine without /etc/hosts and can never be sent to a DNS server. IPv6 first, as
// getaddrinfo orders them (RFC 6724).
bool parse_localhost(const std::string& host, uint16_t port, Family family,
                     std::vector<SocketAddress>& out) {
    std::string_view h = host;
    if (!h.empty() && h.back() == '.') h.remove_suffix(1);  // the absolute form "localhost."
    constexpr std::string_view kName = "localhost";
    if (h.size() < kName.size()) return false;
    std::string_view tail = h.substr(h.size() - kName.size());
    for (size_t i = 0; i < kName.size(); ++i) {
        char c = tail[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != kName[i]) return false;
    }
    if (h.size() > kName.size() && h[h.size() - kName.size() - 1] != '.') return false;
    if (h.front() == '.') return false;  // an empty first label
    if (wants(family, AF_INET6)) out.push_back(make_v6(in6addr_loopback, port));
    if (wants(family, AF_INET)) out.push_back(make_v4(in_addr{htonl(INADDR_LOOPBACK)}, port));
    return true;
}

LookupResult lookup_blocking(const LookupRequest& req) {
    const std::string& host = req.host;
    uint16_t port = req.port;
    Family family = req.family;
    bool passive = req.passive;
    addrinfo hints{};
    hints.ai_family = family == Family::V4 ? AF_INET : family == Family::V6 ? AF_INET6 : AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
    std::string service = std::to_string(port);
    addrinfo* res = nullptr;
    LookupResult r;
    r.code = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &res);
    if (r.code == EAI_SYSTEM) r.sys_errno = errno;
    if (r.code != 0) return r;
    for (addrinfo* ai = res; ai; ai = ai->ai_next) {
        if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
            ai->ai_addrlen > sizeof(sockaddr_storage)) {
            continue;
        }
        SocketAddress a;
        std::memcpy(&a.storage, ai->ai_addr, ai->ai_addrlen);
        a.length = ai->ai_addrlen;
        r.addresses.push_back(a);
    }
    ::freeaddrinfo(res);
    return r;
}

[[noreturn]] void throw_dns_error(const std::string& host, uint16_t port, const LookupResult& r) {
    std::string msg = "cannot resolve " + host + ":" + std::to_string(port) + ": ";
    msg += r.code == EAI_SYSTEM ? std::strerror(r.sys_errno) : ::gai_strerror(r.code);
    throw DnsError(msg, r.code);
}

}  // namespace detail

Coro<std::vector<SocketAddress>> resolve(std::string host, uint16_t port, Family family,
                                         bool passive) {
    return detail::resolve_until(std::move(host), port, family, passive, 0, 0);
}

namespace detail {

Coro<std::vector<SocketAddress>> resolve_until(std::string host, uint16_t port, Family family,
                                               bool passive, int64_t deadline_ns,
                                               int64_t timeout_ns) {
    std::vector<SocketAddress> out;
    if (parse_numeric(host, port, family, passive, out) ||
        parse_localhost(host, port, family, out)) {
        if (out.empty()) {
            throw DnsError("cannot resolve " + host + ":" + std::to_string(port) +
                               ": the address is not of the family asked for",
                           EAI_ADDRFAMILY);
        }
        co_return out;
    }
    if (host.empty()) throw DnsError("cannot resolve an empty host name", EAI_NONAME);
    LookupRequest request{host, port, family, passive};  // named: see DESIGN's g++ 12 notes
    std::optional<LookupResult> r = co_await lookup_off_loop(std::move(request), deadline_ns);
    if (!r) {
        throw TimeoutError("cannot resolve " + host + ":" + std::to_string(port) +
                           ": the name lookup timed out after " +
                           std::to_string(timeout_ns / 1000000) + " ms");
    }
    if (r->code != 0) throw_dns_error(host, port, *r);
    if (r->addresses.empty()) {
        LookupResult none;
        none.code = EAI_NONAME;
        throw_dns_error(host, port, none);
    }
    co_return std::move(r->addresses);
}

}  // namespace detail

}  // namespace corio
