// robots.txt parsing and matching (RFC 9309). Unknown lines and keys are skipped, as the RFC
// asks; a rule before any user-agent line belongs to no group and is ignored.
#include "robots.hpp"

#include <algorithm>
#include <cctype>

namespace crawl {
namespace {

constexpr size_t kParseLimit = 500 * 1024;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
        s.remove_suffix(1);
    }
    return s;
}

bool iequal(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool unreserved(unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

// Spells a pattern as http::Url::normalized() spells paths: escapes of unreserved characters
// decoded, other escapes in upper-case hex, raw bytes outside printable ASCII escaped.
std::string normalise_pattern(std::string_view p) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (size_t i = 0; i < p.size(); ++i) {
        auto c = static_cast<unsigned char>(p[i]);
        if (c == '%' && i + 2 < p.size() && hex_value(p[i + 1]) >= 0 && hex_value(p[i + 2]) >= 0) {
            auto v = static_cast<unsigned char>(hex_value(p[i + 1]) * 16 + hex_value(p[i + 2]));
            if (unreserved(v)) {
                out += static_cast<char>(v);
            } else {
                out += '%';
                out += hex[v >> 4];
                out += hex[v & 15];
            }
            i += 2;
        } else if (c <= 0x20 || c >= 0x7F) {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

}  // namespace

std::string_view product_token(std::string_view user_agent) {
    user_agent = trim(user_agent);
    size_t end = user_agent.find_first_of("/ \t");
    return user_agent.substr(0, end);
}

Robots Robots::disallow_all() {
    Robots r;
    r.disallow_all_ = true;
    return r;
}

Robots Robots::parse(std::string_view body, std::string_view product) {
    body = body.substr(0, std::min(body.size(), kParseLimit));
    if (body.starts_with("\xEF\xBB\xBF")) body.remove_prefix(3);
    std::vector<Rule> mine, star;
    bool any_mine = false;
    // State of the group being read: which agents it names, and whether its rules have begun
    // (a user-agent line after a rule starts a new group).
    bool group_mine = false, group_star = false, in_rules = false;
    while (!body.empty()) {
        size_t eol = body.find_first_of("\r\n");
        std::string_view line = body.substr(0, eol);
        body.remove_prefix(eol == std::string_view::npos ? body.size() : eol + 1);
        if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
        size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        std::string_view key = trim(line.substr(0, colon));
        std::string_view value = trim(line.substr(colon + 1));
        if (iequal(key, "user-agent")) {
            if (in_rules) {
                group_mine = group_star = in_rules = false;
            }
            std::string_view agent = product_token(value);
            if (agent == "*") {
                group_star = true;
            } else if (!agent.empty() && iequal(agent, product)) {
                group_mine = true;
                any_mine = true;
            }
        } else if (iequal(key, "allow") || iequal(key, "disallow")) {
            in_rules = true;
            if (value.empty()) continue;  // "Disallow:" with no path disallows nothing
            Rule rule{normalise_pattern(value), iequal(key, "allow")};
            if (group_mine) mine.push_back(rule);
            if (group_star) star.push_back(std::move(rule));
        }
    }
    Robots r;
    r.rules_ = any_mine ? std::move(mine) : std::move(star);
    return r;
}

bool robots_pattern_matches(std::string_view pattern, std::string_view path) {
    bool anchored = !pattern.empty() && pattern.back() == '$';
    if (anchored) pattern.remove_suffix(1);
    // Glob matching with '*' only, backtracking to the last star: O(|pattern| * |path|) at
    // worst, linear in practice.
    size_t p = 0, s = 0, star_p = std::string_view::npos, star_s = 0;
    while (s < path.size()) {
        if (p == pattern.size() && !anchored) return true;  // a prefix matched
        if (p < pattern.size() && pattern[p] == '*') {
            star_p = p++;
            star_s = s;
        } else if (p < pattern.size() && pattern[p] == path[s]) {
            ++p;
            ++s;
        } else if (star_p != std::string_view::npos) {
            p = star_p + 1;
            s = ++star_s;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

bool Robots::allowed(std::string_view target) const {
    if (target == "/robots.txt") return true;
    if (disallow_all_) return false;
    size_t best_len = 0;
    bool best_allow = true, matched = false;
    for (const Rule& r : rules_) {
        if (!robots_pattern_matches(r.pattern, target)) continue;
        size_t len = r.pattern.size();
        if (!matched || len > best_len || (len == best_len && r.allow && !best_allow)) {
            best_len = len;
            best_allow = r.allow;
            matched = true;
        }
    }
    return best_allow;
}

}  // namespace crawl
