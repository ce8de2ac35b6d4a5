// Exception -> error string. The HTTP client labels each timeout in its message ("connect
// timeout", "read timeout", "total timeout"); anything else unlabelled counts as the total.
#include "failure.hpp"

#include <string_view>

#include "corio/connect.hpp"
#include "corio/dns.hpp"
#include "corio/error.hpp"
#include "corio/http/errors.hpp"
#include "corio/stream.hpp"

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
