// Exception -> error string. The HTTP client labels each timeout in its message ("connect
// timeout", "read timeout", "total timeout"); anything else unlabelled counts as the total.
// TLS failures keep corio::tls's types (ConnectionErrors), so they are caught before those.
#include "failure.hpp"

#include <string_view>

#include "corio/connect.hpp"
#include "corio/dns.hpp"
#include "corio/error.hpp"
#include "corio/http/errors.hpp"
#include "corio/stream.hpp"
#include "corio/tls.hpp"

namespace crawl {
namespace {

bool mentions(std::string_view text, std::string_view word) {
    return text.find(word) != std::string_view::npos;
}

// A short what() for the errors crawl has no word for: the first line, at most 120 bytes.
std::string short_message(std::string_view prefix, const char* what) {
    std::string_view w(what);
    w = w.substr(0, std::min(w.find('\n'), size_t{120}));
    return std::string(prefix) + std::string(w);
}

// The JSON line names the URL, so the kind leaves the host out and the summary can count it.
const char* certificate_kind(corio::tls::CertificateError::Reason r) {
    using R = corio::tls::CertificateError::Reason;
    switch (r) {
        case R::Expired:
            return "TLS: certificate expired";
        case R::NotYetValid:
            return "TLS: certificate not yet valid";
        case R::WrongHost:
            return "TLS: wrong host";
        case R::UnknownCa:
            return "TLS: unknown CA";
        case R::Other:
            break;
    }
    return "TLS: certificate rejected";
}

}  // namespace

Failure classify(std::exception_ptr error) {
    namespace http = corio::http;
    try {
        std::rethrow_exception(error);
    } catch (const corio::TimeoutError& e) {
        std::string_view what = e.what();
        if (mentions(what, "connect")) return {"timeout (connect)", true};
        if (mentions(what, "read")) return {"timeout (read)", true};
        return {"timeout (total)", true};
    } catch (const corio::ConnectionRefusedError&) {
        return {"refused", true};
    } catch (const corio::ConnectionResetError&) {
        return {"reset", true};
    } catch (const corio::DnsError&) {
        return {"dns", false};
    } catch (const http::TooManyRedirects&) {
        return {"too many redirects", false};
    } catch (const http::BodyTooLarge&) {
        return {"too large", false};
    } catch (const http::TlsUnavailable&) {
        return {"TLS not built in", false};
    } catch (const corio::tls::CertificateError& e) {
        return {certificate_kind(e.reason()), false};
    } catch (const corio::tls::NotTlsError&) {
        return {"TLS: not a TLS server", false};
    } catch (const corio::tls::TruncatedError&) {
        return {"TLS: truncated", true};
    } catch (const corio::tls::TlsError& e) {
        return {short_message("TLS: ", e.what()), false};
    } catch (const http::ProtocolError& e) {
        std::string_view what = e.what();
        // The client's words for a message cut short by the end of the stream.
        if (mentions(what, "truncated") && mentions(what, "head")) {
            return {"truncated response", true};
        }
        if (mentions(what, "truncated")) return {"truncated body", true};
        return {short_message("protocol error: ", e.what()), false};
    } catch (const http::UrlError&) {
        return {"invalid url", false};
    } catch (const corio::IncompleteReadError&) {
        return {"truncated body", true};
    } catch (const corio::ConnectionError& e) {
        if (mentions(e.what(), "without answering")) return {"closed without response", true};
        return {short_message("connection error: ", e.what()), true};
    } catch (const std::exception& e) {
        return {short_message("error: ", e.what()), false};
    } catch (...) {
        return {"error: unknown", false};
    }
}

}  // namespace crawl
