// The TLS contexts users make (tls::client_context, tls::server_context), the client's session
// cache, and the ALPN wiring. Layer 6 (tls): builds SSL_CTXs; engine.cpp runs connections.
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <mutex>
#include <string>

#include "ssl_context.hpp"

namespace corio::tls {

namespace detail {

SessionCache::~SessionCache() {
    for (auto& [key, e] : map_) detail::lib().SSL_SESSION_free(e.session);
}

void SessionCache::put(const std::string& key, SSL_SESSION* s) {
    std::lock_guard lock(mu_);
    auto [it, fresh] = map_.try_emplace(key, Entry{s, next_stamp_++});
    if (!fresh) {
        detail::lib().SSL_SESSION_free(it->second.session);
        it->second = Entry{s, next_stamp_ - 1};
        return;
    }
    if (map_.size() <= capacity_) return;
    // Over capacity by one: evict the oldest. A scan, but only when a new host arrives at a full
    // cache, and the cache is small.
    auto oldest = map_.begin();
    for (auto i = map_.begin(); i != map_.end(); ++i) {
        if (i->second.stamp < oldest->second.stamp) oldest = i;
    }
    detail::lib().SSL_SESSION_free(oldest->second.session);
    map_.erase(oldest);
}

SSL_SESSION* SessionCache::get(const std::string& key) {
    std::lock_guard lock(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return nullptr;
    SSL_SESSION* s = it->second.session;
    if (!detail::lib().SSL_SESSION_is_resumable(s)) {
        detail::lib().SSL_SESSION_free(s);
        map_.erase(it);
        return nullptr;
    }
    detail::lib().SSL_SESSION_up_ref(s);
    return s;
}

size_t SessionCache::size() const {
    std::lock_guard lock(mu_);
    return map_.size();
}

}  // namespace detail

namespace {

using detail::SslContext;

std::string alpn_wire(const std::vector<std::string>& protocols) {
    std::string wire;
    for (const std::string& p : protocols) {
        if (p.empty() || p.size() > 255) {
            throw TlsError("invalid ALPN protocol name '" + p + "' (1 to 255 bytes)");
        }
        wire += static_cast<char>(p.size());
        wire += p;
    }
    return wire;
}

SSL_CTX* new_ctx(const SSL_METHOD* method) {
    SSL_CTX* ctx = detail::lib().SSL_CTX_new(method);
    if (!ctx) throw TlsError("cannot make a TLS context: " + detail::take_openssl_errors("?"));
    detail::set_min_proto_version(ctx, TLS1_2_VERSION);
    return ctx;
}

// The server picks the first of its own protocols that the client offers; none in common
// means no ALPN (the connection goes on, as with a client that sends none).
int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                unsigned int inlen, void* arg) {
    auto* c = static_cast<SslContext*>(arg);
    unsigned char* chosen = nullptr;
    if (detail::lib().SSL_select_next_proto(
            &chosen, outlen, reinterpret_cast<const unsigned char*>(c->alpn_wire.data()),
            static_cast<unsigned>(c->alpn_wire.size()), in, inlen) != OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_NOACK;
    }
    *out = chosen;
    return SSL_TLSEXT_ERR_OK;
}

class ClientContextImpl final : public ClientContext {
public:
    explicit ClientContextImpl(const ClientOptions& o) {
        SSL_CTX* ctx = new_ctx(detail::lib().TLS_client_method());
        auto c = std::make_shared<SslContext>(ctx, true, !o.insecure, o.session_cache_size);
        c->alpn_wire = alpn_wire(o.alpn);
        if (!o.insecure) {
            detail::lib().SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
            if (o.system_trust && detail::lib().SSL_CTX_set_default_verify_paths(ctx) != 1) {
                throw TlsError("cannot load the system's CA certificates: " +
                               detail::take_openssl_errors("?"));
            }
            if (!o.ca_file.empty() &&
                detail::lib().SSL_CTX_load_verify_locations(ctx, o.ca_file.c_str(), nullptr) != 1) {
                throw TlsError("cannot load the CA file " + o.ca_file + ": " +
                               detail::take_openssl_errors("unreadable"));
            }
        } else {
            detail::lib().SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
        }
        if (!c->alpn_wire.empty() &&
            detail::lib().SSL_CTX_set_alpn_protos(
                ctx, reinterpret_cast<const unsigned char*>(c->alpn_wire.data()),
                static_cast<unsigned>(c->alpn_wire.size())) != 0) {
            throw TlsError("cannot set ALPN: " + detail::take_openssl_errors("?"));
        }
        if (o.session_cache_size > 0) detail::enable_session_cache(*c);
        ctx_ = std::move(c);
    }

    std::unique_ptr<Transport> open(std::string_view host, uint16_t port) override {
        return detail::make_engine(ctx_, host, port);
    }
    bool insecure() const noexcept override { return !ctx_->verify; }
    size_t cached_sessions() const override { return ctx_->sessions.size(); }

private:
    std::shared_ptr<SslContext> ctx_;
};

class ServerContextImpl final : public ServerContext {
public:
    explicit ServerContextImpl(ServerOptions o) : options_(std::move(o)) { current_ = load(); }

    std::unique_ptr<Transport> open(std::string_view host, uint16_t port) override {
        std::shared_ptr<const SslContext> c;
        {
            std::lock_guard lock(mu_);
            c = current_;
        }
        return detail::make_engine(std::move(c), host, port);
    }

    void reload() override {
        auto fresh = load();
        std::lock_guard lock(mu_);
        current_ = std::move(fresh);
    }

private:
    std::shared_ptr<const SslContext> load() const {
        if (options_.cert_file.empty() || options_.key_file.empty()) {
            throw TlsError("a TLS server needs a certificate file and a key file");
        }
        SSL_CTX* ctx = new_ctx(detail::lib().TLS_server_method());
        auto c = std::make_shared<SslContext>(ctx, false, false, 0);
        c->alpn_wire = alpn_wire(options_.alpn);
        if (detail::lib().SSL_CTX_use_certificate_chain_file(ctx, options_.cert_file.c_str()) !=
            1) {
            throw TlsError("cannot load the certificate chain " + options_.cert_file + ": " +
                           detail::take_openssl_errors("unreadable"));
        }
        if (detail::lib().SSL_CTX_use_PrivateKey_file(ctx, options_.key_file.c_str(),
                                                      SSL_FILETYPE_PEM) != 1) {
            if (ERR_GET_REASON(detail::lib().ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH) {
                detail::lib().ERR_clear_error();
                throw TlsError("the key " + options_.key_file + " does not match the certificate " +
                               options_.cert_file);
            }
            throw TlsError("cannot load the private key " + options_.key_file + ": " +
                           detail::take_openssl_errors("unreadable"));
        }
        if (detail::lib().SSL_CTX_check_private_key(ctx) != 1) {
            throw TlsError("the key " + options_.key_file + " does not match the certificate " +
                           options_.cert_file + ": " + detail::take_openssl_errors("mismatch"));
        }
        if (!c->alpn_wire.empty())
            detail::lib().SSL_CTX_set_alpn_select_cb(ctx, &select_alpn, c.get());
        return c;
    }

    const ServerOptions options_;
    mutable std::mutex mu_;  // guards current_: reload() may run on another thread
    std::shared_ptr<const SslContext> current_;
};

}  // namespace

std::shared_ptr<ClientContext> client_context(ClientOptions options) {
    return std::make_shared<ClientContextImpl>(options);
}

std::shared_ptr<ServerContext> server_context(ServerOptions options) {
    return std::make_shared<ServerContextImpl>(std::move(options));
}

bool session_resumed(const Transport& t) { return detail::engine_resumed(t); }

}  // namespace corio::tls
