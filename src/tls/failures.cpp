// Why a TLS connection failed, in words a user understands: each certificate problem, a peer
// that does not speak TLS, or OpenSSL's own reason, always naming the host. Layer 6 (tls).
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <string>

#include "ssl_context.hpp"

namespace corio::tls::detail {

std::string take_openssl_errors(std::string_view fallback) {
    std::string text;
    while (unsigned long e = lib().ERR_get_error()) {
        char buf[256];
        lib().ERR_error_string_n(e, buf, sizeof buf);
        // "error:0A000086:SSL routines::certificate verify failed": keep the reason part.
        std::string_view line(buf);
        size_t cut = line.rfind(':');
        if (cut != std::string_view::npos) line.remove_prefix(cut + 1);
        if (!text.empty()) text += "; ";
        text += line;
    }
    return text.empty() ? std::string(fallback) : text;
}

namespace {

std::string not_after(SSL* ssl) {
    X509* cert = lib().SSL_get0_peer_certificate(ssl);
    if (!cert) return {};
    BIO* b = lib().BIO_new(lib().BIO_s_mem());
    if (!b) return {};
    std::string out;
    if (lib().ASN1_TIME_print(b, lib().X509_get0_notAfter(cert)) == 1) {
        char* p = nullptr;
        long n = get_mem_data(b, &p);
        if (n > 0) out.assign(p, static_cast<size_t>(n));
    }
    lib().BIO_free(b);
    return out;
}

[[noreturn]] void throw_certificate_error(SSL* ssl, long v, std::string_view host,
                                          const std::string& where) {
    using R = CertificateError::Reason;
    std::string cert = "the certificate of " + where;
    switch (v) {
        case X509_V_ERR_CERT_HAS_EXPIRED: {
            std::string when = not_after(ssl);
            throw CertificateError(
                cert + " has expired" + (when.empty() ? "" : " (on " + when + ")"), R::Expired);
        }
        case X509_V_ERR_CERT_NOT_YET_VALID:
            throw CertificateError(cert + " is not valid yet", R::NotYetValid);
        case X509_V_ERR_HOSTNAME_MISMATCH:
        case X509_V_ERR_IP_ADDRESS_MISMATCH:
            throw CertificateError(
                cert + " is not valid for the name '" + std::string(host) + "' (wrong host)",
                R::WrongHost);
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
            throw CertificateError(cert +
                                       " is signed by an unknown certificate authority (not in "
                                       "the trust store; a CA file may be missing)",
                                   R::UnknownCa);
        default:
            throw CertificateError(
                cert + " was rejected: " + lib().X509_verify_cert_error_string(v), R::Other);
    }
}

}  // namespace

void throw_tls_failure(SSL* ssl, bool client, std::string_view host, const std::string& where) {
    long v = client ? lib().SSL_get_verify_result(ssl) : X509_V_OK;
    if (v != X509_V_OK) {
        lib().ERR_clear_error();
        throw_certificate_error(ssl, v, host, where);
    }
    unsigned long first = lib().ERR_peek_error();
    int reason = ERR_GET_LIB(first) == ERR_LIB_SSL ? ERR_GET_REASON(first) : 0;
    std::string why = take_openssl_errors("protocol error");
    if (reason == SSL_R_WRONG_VERSION_NUMBER || reason == SSL_R_HTTP_REQUEST ||
        reason == SSL_R_HTTPS_PROXY_REQUEST) {
        if (client)
            throw NotTlsError("the server at " + where + " did not answer TLS; is it plain HTTP?");
        throw NotTlsError("the client at " + where + " did not speak TLS (" + why + ")");
    }
    const char* side = client ? "with the server at " : "with the client at ";
    throw TlsError("TLS " +
                   std::string(lib().SSL_is_init_finished(ssl) ? "connection " : "handshake ") +
                   side + where + " failed: " + why);
}

}  // namespace corio::tls::detail
