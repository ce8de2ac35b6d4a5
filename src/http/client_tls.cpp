// The client's side of https: the session's one TLS context, made lazily from ClientOptions, and
// the pool key that keeps plain and TLS connections apart. Layer 6: http over corio::tls (its
// public header only); without TLS built in, tls::TlsUnavailable becomes http::TlsUnavailable.
#include <charconv>

#include "client_session.hpp"
#include "corio/tls.hpp"

namespace corio::http::detail {

std::string SessionCore::pool_key(const Url& url) {
    // Once per request: one allocation, no temporaries.
    const bool v6 = url.is_ipv6();
    std::string key;
    key.reserve(url.scheme().size() + url.host().size() + 11);
    key += url.scheme();
    key += "://";
    if (v6) key += '[';
    key += url.host();
    if (v6) key += ']';
    char port[8];
    port[0] = ':';
    auto end = std::to_chars(port + 1, port + sizeof port, url.port()).ptr;
    key.append(port, static_cast<size_t>(end - port));
    return key;
}

const std::shared_ptr<TransportFactory>& SessionCore::tls_context(const Url& url) {
    if (tls_) return tls_;
    tls::ClientOptions o;
    o.system_trust = options.system_trust;
    o.ca_file = options.ca_file;
    o.insecure = options.insecure;
    try {
        tls_ = tls::client_context(std::move(o));
    } catch (const tls::TlsUnavailable&) {
        // The words the client always used for this, before it spoke TLS at all.
        throw TlsUnavailable("TLS is not built in: cannot fetch " + url.str());
    }
    return tls_;
}

}  // namespace corio::http::detail
