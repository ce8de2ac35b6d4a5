// OpenSSL, loaded with dlopen the first time a TLS context is made: a program that never makes
// one (a crawl of http:// URLs, a plain ws server) does not pay the millisecond that loading and
// relocating libssl and libcrypto adds to every process start. Layer 6 (tls).
//
// Every OpenSSL function src/tls calls goes through lib(); a direct call does not link, since
// the library is not linked against OpenSSL. OpenSSL's macros that expand to its *_ctrl and
// *_ex_data functions have their stand-ins below.
#pragma once

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace corio::tls::detail {

#define CORIO_OPENSSL_FUNCTIONS(X)        \
    X(TLS_client_method)                  \
    X(TLS_server_method)                  \
    X(SSL_CTX_new)                        \
    X(SSL_CTX_free)                       \
    X(SSL_CTX_ctrl)                       \
    X(SSL_CTX_set_ex_data)                \
    X(SSL_CTX_get_ex_data)                \
    X(SSL_CTX_set_verify)                 \
    X(SSL_CTX_set_default_verify_paths)   \
    X(SSL_CTX_load_verify_locations)      \
    X(SSL_CTX_set_alpn_protos)            \
    X(SSL_CTX_set_alpn_select_cb)         \
    X(SSL_CTX_use_certificate_chain_file) \
    X(SSL_CTX_use_PrivateKey_file)        \
    X(SSL_CTX_check_private_key)          \
    X(SSL_CTX_sess_set_new_cb)            \
    X(SSL_select_next_proto)              \
    X(SSL_SESSION_free)                   \
    X(SSL_SESSION_is_resumable)           \
    X(SSL_SESSION_up_ref)                 \
    X(SSL_new)                            \
    X(SSL_free)                           \
    X(SSL_ctrl)                           \
    X(SSL_set_ex_data)                    \
    X(SSL_get_ex_data)                    \
    X(SSL_set_bio)                        \
    X(SSL_set_connect_state)              \
    X(SSL_set_accept_state)               \
    X(SSL_get0_param)                     \
    X(SSL_set_session)                    \
    X(SSL_session_reused)                 \
    X(SSL_get0_alpn_selected)             \
    X(SSL_do_handshake)                   \
    X(SSL_get_error)                      \
    X(SSL_has_pending)                    \
    X(SSL_read_ex)                        \
    X(SSL_write_ex)                       \
    X(SSL_shutdown)                       \
    X(SSL_get_SSL_CTX)                    \
    X(SSL_get_verify_result)              \
    X(SSL_is_init_finished)               \
    X(SSL_get0_peer_certificate)          \
    X(BIO_s_mem)                          \
    X(BIO_new)                            \
    X(BIO_free)                           \
    X(BIO_ctrl)                           \
    X(BIO_ctrl_pending)                   \
    X(BIO_read)                           \
    X(BIO_write)                          \
    X(ERR_get_error)                      \
    X(ERR_peek_error)                     \
    X(ERR_peek_last_error)                \
    X(ERR_clear_error)                    \
    X(ERR_error_string_n)                 \
    X(X509_VERIFY_PARAM_set_hostflags)    \
    X(X509_VERIFY_PARAM_set1_host)        \
    X(X509_VERIFY_PARAM_set1_ip_asc)      \
    X(X509_get0_notAfter)                 \
    X(X509_verify_cert_error_string)      \
    X(ASN1_TIME_print)

// The functions, with OpenSSL's own signatures (checked against its headers at compile time).
struct OpenSsl {
#define CORIO_OPENSSL_POINTER(name) decltype(&::name) name;
    CORIO_OPENSSL_FUNCTIONS(CORIO_OPENSSL_POINTER)
#undef CORIO_OPENSSL_POINTER
};

// Loads OpenSSL and looks every function up; throws TlsError, naming the library and why, when
// it cannot be loaded or lacks a function.
OpenSsl load_openssl();

// OpenSSL's functions, loaded on the first call (thread-safe; a failed load throws out of the
// initialiser, so the next call tries again). Inline: after that, a guard check per call.
inline const OpenSsl& lib() {
    static const OpenSsl functions = load_openssl();
    return functions;
}

// Stand-ins for OpenSSL's macros over the functions above.
inline void set_min_proto_version(SSL_CTX* ctx, int version) {
    lib().SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, version, nullptr);
}
inline void set_session_cache_mode(SSL_CTX* ctx, long mode) {
    lib().SSL_CTX_ctrl(ctx, SSL_CTRL_SET_SESS_CACHE_MODE, mode, nullptr);
}
inline void set_host_name(SSL* ssl, const char* name) {
    lib().SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                   const_cast<char*>(name));
}
inline void set_mem_eof_return(BIO* b, long v) {
    lib().BIO_ctrl(b, BIO_C_SET_BUF_MEM_EOF_RETURN, v, nullptr);
}
inline long get_mem_data(BIO* b, char** data) { return lib().BIO_ctrl(b, BIO_CTRL_INFO, 0, data); }

}  // namespace corio::tls::detail
