// A helper the http::Url tests share: the message of the UrlError that parsing throws.
#pragma once

#include <string>
#include <string_view>

#include "corio/http/url.hpp"

namespace corio_test {

// The what() of the UrlError Url::parse(text) throws, or "(no error)" when it parses.
inline std::string url_error(std::string_view text) {
    try {
        (void)corio::http::Url::parse(text);
    } catch (const corio::http::UrlError& e) {
        return e.what();
    }
    return "(no error)";
}

// The same for base.resolve(reference).
inline std::string resolve_error(const corio::http::Url& base, std::string_view reference) {
    try {
        (void)base.resolve(reference);
    } catch (const corio::http::UrlError& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace corio_test
