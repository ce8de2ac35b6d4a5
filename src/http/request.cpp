// http::Request's accessors: the path and query of the request-target (origin-form "/a?x" or
// absolute-form "http://host/a?x"), and whether the client asks to switch protocols.
#include "corio/http/request.hpp"

namespace corio::http {

namespace {

// The target without a scheme and authority (absolute-form) and without a fragment.
std::string_view origin_part(std::string_view target) {
    size_t scheme_end = target.find("://");
    if (!target.empty() && target.front() != '/' && scheme_end != std::string_view::npos) {
        size_t path_at = target.find_first_of("/?#", scheme_end + 3);
        target = path_at == std::string_view::npos ? std::string_view() : target.substr(path_at);
    }
    size_t hash = target.find('#');
    if (hash != std::string_view::npos) target = target.substr(0, hash);
    return target;
}

}  // namespace

std::string_view Request::path() const {
    std::string_view t = origin_part(target);
    std::string_view p = t.substr(0, t.find('?'));
    return p.empty() ? std::string_view("/") : p;
}

std::string_view Request::query() const {
    std::string_view t = origin_part(target);
    size_t q = t.find('?');
    return q == std::string_view::npos ? std::string_view() : t.substr(q + 1);
}

bool Request::wants_upgrade() const {
    return headers.contains("Upgrade") && headers.has_token("Connection", "upgrade");
}

}  // namespace corio::http
