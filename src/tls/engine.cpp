// Engine: one TLS connection as a corio::Transport, OpenSSL over two memory BIOs. Ciphertext
// from the socket is written into `in_`, OpenSSL's records are read out of `out_`; the engine
// never sees the socket, so the reactor keeps doing all the I/O. Layer 6 (tls).
#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <string>

#include "ssl_context.hpp"

namespace corio::tls::detail {

namespace {

// What one SSL_read asks for: a whole TLS record's plaintext.
constexpr size_t kRecordPlain = 16 * 1024;

bool is_ip_literal(const std::string& host) {
    unsigned char buf[16];
    return inet_pton(AF_INET, host.c_str(), buf) == 1 ||
           inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// The first byte of any TLS record is its content type: change_cipher_spec (20), alert (21),
// handshake (22) or application data (23). A plain-HTTP peer starts with a letter.
bool is_tls_record_type(unsigned char c) { return c >= 20 && c <= 23; }

class Engine final : public Transport {
public:
    Engine(std::shared_ptr<const SslContext> ctx, std::string_view host, uint16_t port)
        : ctx_(std::move(ctx)), host_(host) {
        if (host_.size() > 2 && host_.front() == '[' && host_.back() == ']') {
            host_ = host_.substr(1, host_.size() - 2);
        }
        where_ = (host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_) + ":" +
                 std::to_string(port);
        ssl_ = lib().SSL_new(ctx_->ctx);
        BIO* in = lib().BIO_new(lib().BIO_s_mem());
        BIO* out = lib().BIO_new(lib().BIO_s_mem());
        if (!ssl_ || !in || !out) {
            lib().BIO_free(in);
            lib().BIO_free(out);
            lib().SSL_free(ssl_);
            throw TlsError(take_openssl_errors("out of memory") + " (TLS connection to " + where_ +
                           ")");
        }
        // An empty input BIO means "wait for more" (retry), not end of stream: the end of
        // stream is end_of_input()'s business.
        set_mem_eof_return(in, -1);
        lib().SSL_set_bio(ssl_, in, out);
        in_ = in;
        out_ = out;
        lib().SSL_set_ex_data(ssl_, 0, this);
        if (ctx_->client) {
            lib().SSL_set_connect_state(ssl_);
            setup_client();
        } else {
            lib().SSL_set_accept_state(ssl_);
        }
    }
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;
    ~Engine() override { lib().SSL_free(ssl_); }

    const std::string& session_key() const noexcept { return where_; }
    bool resumed() const noexcept { return ready_ && lib().SSL_session_reused(ssl_) == 1; }

    void start(std::string& out) override {
        if (ctx_->client && !ready_) handshake(out);
    }

    void receive(std::string_view wire, std::string& plain, std::string& out) override {
        check_usable();
        if (wire.empty()) return;
        if (!got_bytes_) {
            got_bytes_ = true;
            if (!is_tls_record_type(static_cast<unsigned char>(wire[0]))) {
                failed_ = true;
                if (ctx_->client) {
                    throw NotTlsError("the server at " + where_ +
                                      " did not answer TLS; is it plain HTTP?");
                }
                throw NotTlsError("the client at " + where_ +
                                  " did not start a TLS handshake; is it speaking plain HTTP?");
            }
        }
        // A memory BIO takes everything (it grows); a short write means no memory.
        if (lib().BIO_write(in_, wire.data(), static_cast<int>(wire.size())) !=
            static_cast<int>(wire.size())) {
            failed_ = true;
            throw TlsError("out of memory buffering TLS data from " + where_);
        }
        if (!ready_ && !handshake(out)) return;
        read_plain(plain, out);
        flush(out);
    }

    void send(std::string_view plain, std::string& out) override {
        check_usable();
        if (closed_) throw TlsError("write after close on the TLS connection to " + where_);
        if (!ready_) {
            held_.append(plain);
            return;
        }
        write_plain(plain, out);
    }

    void end_of_input() override {
        if (input_closed_ || failed_) return;
        failed_ = true;
        if (!ready_) {
            if (!got_bytes_ && ctx_->client) {
                throw NotTlsError("the server at " + where_ +
                                  " closed the connection without answering the TLS "
                                  "handshake; is it plain HTTP, or not TLS?");
            }
            throw TlsError((ctx_->client ? "the server at " : "the client at ") + where_ +
                           " closed the connection during the TLS handshake");
        }
        throw TruncatedError("the TLS stream from " + where_ +
                             " ended without close_notify: the data may be truncated");
    }

    void close(std::string& out) override {
        if (closed_) return;
        closed_ = true;
        if (!ready_ || failed_) return;
        lib().ERR_clear_error();
        lib().SSL_shutdown(ssl_);  // 0: ours is queued, the peer's not seen yet; enough for us
        lib().ERR_clear_error();
        flush(out);
    }

    bool ready() const noexcept override { return ready_; }
    bool input_closed() const noexcept override { return input_closed_; }
    std::string_view protocol() const noexcept override {
        const unsigned char* p = nullptr;
        unsigned int n = 0;
        lib().SSL_get0_alpn_selected(ssl_, &p, &n);
        return std::string_view(reinterpret_cast<const char*>(p), p ? n : 0);
    }

private:
    void setup_client() {
        if (!host_.empty() && !is_ip_literal(host_)) {
            // Server name indication takes DNS names only (RFC 6066 section 3).
            set_host_name(ssl_, host_.c_str());
        }
        if (ctx_->verify) {
            X509_VERIFY_PARAM* param = lib().SSL_get0_param(ssl_);
            lib().X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
            int ok = is_ip_literal(host_)
                         ? lib().X509_VERIFY_PARAM_set1_ip_asc(param, host_.c_str())
                         : lib().X509_VERIFY_PARAM_set1_host(param, host_.c_str(), 0);
            if (ok != 1) {
                lib().SSL_free(ssl_);
                ssl_ = nullptr;
                throw TlsError("cannot verify the host name '" + host_ + "' of " + where_ + ": " +
                               take_openssl_errors("invalid name"));
            }
        }
        if (ctx_->sessions.capacity() > 0) {
            if (SSL_SESSION* s = ctx_->sessions.get(where_)) {
                lib().SSL_set_session(ssl_, s);
                lib().SSL_SESSION_free(s);
            }
        }
    }

    void check_usable() const {
        if (failed_) throw TlsError("the TLS connection to " + where_ + " has already failed");
    }

    // Advances the handshake; true once it is done (the held plaintext then goes out).
    bool handshake(std::string& out) {
        lib().ERR_clear_error();
        int rc = lib().SSL_do_handshake(ssl_);
        if (rc != 1) {
            int err = lib().SSL_get_error(ssl_, rc);
            flush(out);
            if (err == SSL_ERROR_WANT_READ) return false;
            fail(rc);
        }
        ready_ = true;
        if (!held_.empty()) {
            std::string held = std::move(held_);
            held_ = std::string();
            write_plain(held, out);
        }
        flush(out);
        return true;
    }

    void read_plain(std::string& plain, std::string& out) {
        // Stop once OpenSSL holds nothing more: a last SSL_read would only say WANT_READ, after
        // growing (and zeroing) the string by a record for nothing.
        while (lib().BIO_ctrl_pending(in_) > 0 || lib().SSL_has_pending(ssl_) == 1) {
            size_t old = plain.size();
            plain.resize(old + kRecordPlain);
            size_t got = 0;
            lib().ERR_clear_error();
            int rc = lib().SSL_read_ex(ssl_, plain.data() + old, kRecordPlain, &got);
            plain.resize(old + got);
            if (rc == 1) continue;
            int err = lib().SSL_get_error(ssl_, rc);
            if (err == SSL_ERROR_WANT_READ) return;
            if (err == SSL_ERROR_ZERO_RETURN) {
                input_closed_ = true;
                return;
            }
            flush(out);
            fail(rc);
        }
    }

    void write_plain(std::string_view plain, std::string& out) {
        if (plain.empty()) return;
        size_t written = 0;
        lib().ERR_clear_error();
        // The output BIO grows as needed, so one call takes it all.
        if (lib().SSL_write_ex(ssl_, plain.data(), plain.size(), &written) != 1 ||
            written != plain.size()) {
            flush(out);
            fail(0);
        }
        flush(out);
    }

    // Moves what OpenSSL produced (records, alerts) to out.
    void flush(std::string& out) {
        size_t n = lib().BIO_ctrl_pending(out_);
        if (n == 0) return;
        size_t old = out.size();
        out.resize(old + n);
        int got = lib().BIO_read(out_, out.data() + old, static_cast<int>(n));
        out.resize(old + (got > 0 ? static_cast<size_t>(got) : 0));
    }

    [[noreturn]] void fail(int rc) {
        failed_ = true;
        (void)rc;
        throw_tls_failure(ssl_, ctx_->client, host_, where_);
    }

    std::shared_ptr<const SslContext> ctx_;
    SSL* ssl_ = nullptr;
    BIO* in_ = nullptr;   // owned by ssl_: ciphertext received, for OpenSSL to read
    BIO* out_ = nullptr;  // owned by ssl_: ciphertext OpenSSL wrote, for the socket
    std::string host_;    // as dialled, without IPv6 brackets
    std::string where_;   // "host:port", in messages and as the session cache key
    std::string held_;    // plaintext sent before the handshake finished
    bool ready_ = false;
    bool got_bytes_ = false;
    bool input_closed_ = false;
    bool closed_ = false;
    bool failed_ = false;
};

// OpenSSL calls this when a server hands the client a session (TLS 1.3: a ticket after the
// handshake); returning 1 keeps the reference it passes.
int on_new_session(SSL* ssl, SSL_SESSION* session) {
    auto* engine = static_cast<Engine*>(lib().SSL_get_ex_data(ssl, 0));
    auto* ctx = static_cast<SslContext*>(lib().SSL_CTX_get_ex_data(lib().SSL_get_SSL_CTX(ssl), 0));
    if (!engine || !ctx || ctx->sessions.capacity() == 0) return 0;
    ctx->sessions.put(engine->session_key(), session);
    return 1;
}

}  // namespace

void enable_session_cache(SslContext& c) {
    lib().SSL_CTX_set_ex_data(c.ctx, 0, &c);
    set_session_cache_mode(c.ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    lib().SSL_CTX_sess_set_new_cb(c.ctx, &on_new_session);
}

bool engine_resumed(const Transport& t) {
    auto* e = dynamic_cast<const Engine*>(&t);
    return e && e->resumed();
}

std::unique_ptr<Transport> make_engine(std::shared_ptr<const SslContext> ctx, std::string_view host,
                                       uint16_t port) {
    return std::make_unique<Engine>(std::move(ctx), host, port);
}

}  // namespace corio::tls::detail
