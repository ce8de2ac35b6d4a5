// Internals of src/tls: one SSL_CTX with what its callbacks point at, the client's session
// cache, and the OpenSSL error plumbing. Layer 6 (tls); includes neither http nor ws.
//
// Invariants:
//  - An SslContext never changes after it is built; ServerContext::reload builds a new one.
//    Every Engine holds a shared_ptr to the SslContext it was made from, so a reload or the
//    user dropping the context never frees an SSL_CTX under a live connection.
//  - SessionCache owns one reference to each SSL_SESSION it maps; get() hands out another.
#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "corio/tls.hpp"
#include "openssl_lib.hpp"

namespace corio::tls::detail {

// Client sessions by "host:port", for resumption. Shared by the loops of several threads.
class SessionCache {
public:
    explicit SessionCache(size_t capacity) : capacity_(capacity) {}
    SessionCache(const SessionCache&) = delete;
    SessionCache& operator=(const SessionCache&) = delete;
    ~SessionCache();

    void put(const std::string& key, SSL_SESSION* s);  // takes the caller's reference
    SSL_SESSION* get(const std::string& key);          // a new reference, or nullptr
    size_t size() const;
    size_t capacity() const noexcept { return capacity_; }

private:
    struct Entry {
        SSL_SESSION* session;
        uint64_t stamp;  // put order, to evict the oldest
    };
    mutable std::mutex mu_;
    std::unordered_map<std::string, Entry> map_;
    uint64_t next_stamp_ = 0;
    size_t capacity_;
};

struct SslContext {
    SslContext(SSL_CTX* c, bool client_side, bool verify_peer, size_t cache_size)
        : ctx(c), client(client_side), verify(verify_peer), sessions(cache_size) {}
    SslContext(const SslContext&) = delete;
    SslContext& operator=(const SslContext&) = delete;
    ~SslContext() { lib().SSL_CTX_free(ctx); }

    SSL_CTX* ctx;
    std::string alpn_wire;  // ALPN protocols, each prefixed by its length (RFC 7301)
    bool client;
    bool verify;                    // a client checks the server's certificate and name
    mutable SessionCache sessions;  // thread-safe on its own
};

// A transport for one connection over ctx.
std::unique_ptr<Transport> make_engine(std::shared_ptr<const SslContext> ctx, std::string_view host,
                                       uint16_t port);

// Makes a client SSL_CTX store the sessions its servers hand out in c.sessions.
void enable_session_cache(SslContext& c);
// Whether t is a TLS engine whose handshake resumed a session.
bool engine_resumed(const Transport& t);

// OpenSSL's error queue as one line (and cleared); `fallback` when it is empty.
std::string take_openssl_errors(std::string_view fallback);

// Throws the error that explains why the handshake or a record failed on ssl: a certificate
// problem, a peer that does not speak TLS, or OpenSSL's reason. `where` is "host:port".
[[noreturn]] void throw_tls_failure(SSL* ssl, bool client, std::string_view host,
                                    const std::string& where);

}  // namespace corio::tls::detail
