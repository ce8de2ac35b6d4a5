// Redirect rules of the client: which statuses redirect, what method and body the next request
// carries (RFC 9110 section 15.4, with browsers' POST -> GET on 301/302), and the chain's limits
// (a maximum count, a loop detected as a request repeated with the same method).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace corio::http::detail {

bool is_redirect(int status) noexcept;

struct FollowUp {
    std::string_view method;  // the next request's method
    bool keep_body;           // false: sent without body (and without its Content-Type)
};

// 303: GET (HEAD stays HEAD) without body; 301 and 302: POST becomes GET without body, others
// unchanged; 307 and 308: method and body kept.
FollowUp follow_up(int status, std::string_view method) noexcept;

// The requests of one redirect chain, recorded from the first redirect on (a request that is
// not redirected costs nothing). Invariant: visited_ holds "METHOD url" of every request
// recorded, the first one included.
class RedirectChain {
public:
    explicit RedirectChain(size_t max_redirects) : max_(max_redirects) {}
    // Records a request, the first one included; throws TooManyRedirects when it would pass the
    // maximum, or when the same method was already sent to the same url (a loop: the message
    // says so).
    void next(std::string_view method, std::string_view url);
    size_t redirects() const noexcept { return visited_.empty() ? 0 : visited_.size() - 1; }

private:
    static std::string key(std::string_view method, std::string_view url);
    size_t max_;
    std::vector<std::string> visited_;
};

}  // namespace corio::http::detail
