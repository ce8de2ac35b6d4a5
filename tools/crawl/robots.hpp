// robots.txt as RFC 9309 reads it: the group for our product token (else '*'), longest match
// wins, Allow beats Disallow on equal length, '*' and a final '$' in patterns. Parsing is pure;
// fetching (and "4xx allows all, 5xx or unreachable disallows all") is the engine's.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace crawl {

class Robots {
public:
    // No rules: everything allowed (a 4xx robots.txt, or --ignore-robots).
    Robots() = default;
    static Robots allow_all() { return Robots(); }
    // Everything but /robots.txt disallowed (a 5xx robots.txt, or an unreachable host).
    static Robots disallow_all();
    // The rules of robots.txt body that apply to product (our user agent's product token,
    // e.g. "corio-crawl"): every group naming it (case-insensitive), merged, else every '*'
    // group. Only the first 500 KiB are read, as RFC 9309 allows.
    static Robots parse(std::string_view body, std::string_view product);

    // Whether target (a URL's path and query, as sent in a request line) may be fetched.
    bool allowed(std::string_view target) const;

    size_t rule_count() const noexcept { return rules_.size(); }

private:
    struct Rule {
        std::string pattern;  // percent-encoding normalised like URL paths
        bool allow;
    };
    std::vector<Rule> rules_;
    bool disallow_all_ = false;
};

// The product token of a User-Agent value: "corio-crawl/1.0 (+url)" -> "corio-crawl".
std::string_view product_token(std::string_view user_agent);

// Whether pattern (with '*' for any run of characters and a final '$' anchoring the end)
// matches the start of path.
bool robots_pattern_matches(std::string_view pattern, std::string_view path);

}  // namespace crawl
