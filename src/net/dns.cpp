// resolve(): numeric addresses parsed on the loop thread, names looked up by getaddrinfo on the
// default thread pool (it blocks, as in asyncio). Layer 5. The lookup's outcome crosses back
// as plain data (an EAI code and addresses) and becomes a DnsError on the loop thread.
#include "corio/dns.hpp"

#include <arpa/inet.h>
#include <netdb.h>

#include <cstring>

#include "corio/executor.hpp"
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

// What a lookup on the pool brings back: plain data, no exception crosses threads.
struct LookupResult {
    int code = 0;       // getaddrinfo's return value
    int sys_errno = 0;  // errno when code is EAI_SYSTEM
    std::vector<SocketAddress> addresses;
};

LookupResult lookup_blocking(std::string host, uint16_t port, Family family, bool passive) {
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

Coro<LookupResult> lookup_on_pool(std::string host, uint16_t port, Family family, bool passive);

}  // namespace detail

Coro<std::vector<SocketAddress>> resolve(std::string host, uint16_t port, Family family,
                                         bool passive) {
    std::vector<SocketAddress> out;
    if (detail::parse_numeric(host, port, family, passive, out)) {
        if (out.empty()) {
            throw DnsError("cannot resolve " + host + ":" + std::to_string(port) +
                               ": the address is not of the family asked for",
                           EAI_ADDRFAMILY);
        }
        co_return out;
    }
    if (host.empty()) throw DnsError("cannot resolve an empty host name", EAI_NONAME);
    detail::LookupResult r = co_await detail::lookup_on_pool(host, port, family, passive);
    if (r.code != 0) detail::throw_dns_error(host, port, r);
    if (r.addresses.empty()) {
        detail::LookupResult none;
        none.code = EAI_NONAME;
        detail::throw_dns_error(host, port, none);
    }
    co_return std::move(r.addresses);
}

namespace detail {

// getaddrinfo blocks (files, then DNS): it runs on the default thread pool, as asyncio's
// loop.getaddrinfo does, and the loop serves everything else meanwhile.
Coro<LookupResult> lookup_on_pool(std::string host, uint16_t port, Family family, bool passive) {
    co_return co_await to_thread(&lookup_blocking, std::move(host), port, family, passive);
}

}  // namespace detail

}  // namespace corio
