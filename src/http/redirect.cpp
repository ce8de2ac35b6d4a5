// Redirect rules (see redirect.hpp). The chain is short (10 by default), so a linear search of
// the visited requests costs less than a hash set would.
#include "redirect.hpp"

#include <algorithm>

#include "corio/http/errors.hpp"

namespace corio::http::detail {

bool is_redirect(int status) noexcept {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

FollowUp follow_up(int status, std::string_view method) noexcept {
    if (status == 303) return {method == "HEAD" ? "HEAD" : "GET", false};
    if ((status == 301 || status == 302) && method == "POST") return {"GET", false};
    return {method, true};
}

std::string RedirectChain::key(std::string_view method, std::string_view url) {
    std::string k(method);
    k += ' ';
    k += url;
    return k;
}

void RedirectChain::next(std::string_view method, std::string_view url) {
    std::string k = key(method, url);
    if (std::find(visited_.begin(), visited_.end(), k) != visited_.end()) {
        throw TooManyRedirects("redirect loop: " + std::string(url) +
                               " redirects back to itself after " +
                               std::to_string(visited_.size()) + " request(s)");
    }
    if (!visited_.empty() && redirects() >= max_) {
        throw TooManyRedirects("too many redirects: more than " + std::to_string(max_) +
                               " (max_redirects), last to " + std::string(url));
    }
    visited_.push_back(std::move(k));
}

}  // namespace corio::http::detail
