// Backoff and Retry-After (see retry.hpp).
#include "retry.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>

namespace crawl {

Seconds backoff(int attempt, std::mt19937_64& rng) {
    double base = 0.5 * std::pow(2.0, std::max(0, attempt - 1));
    base = std::min(base, kMaxRetryWait.count());
    std::uniform_real_distribution<double> jitter(0.5, 1.0);
    return Seconds(base * jitter(rng));
}

std::optional<Seconds> parse_retry_after(std::string_view value, std::time_t now) {
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
        value.remove_prefix(1);
    }
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (value.empty()) return std::nullopt;
    if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        uint64_t secs = 0;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), secs);
        if (ec == std::errc::result_out_of_range) return kMaxRetryWait;
        return std::min(Seconds(static_cast<double>(secs)), kMaxRetryWait);
    }
    // The three date forms HTTP allows; strptime with the C locale's English names.
    static constexpr const char* formats[] = {"%a, %d %b %Y %H:%M:%S GMT",
                                              "%A, %d-%b-%y %H:%M:%S GMT", "%a %b %d %H:%M:%S %Y"};
    std::string text(value);
    for (const char* f : formats) {
        std::tm tm{};
        const char* end = strptime(text.c_str(), f, &tm);
        if (!end || *end != '\0') continue;
        std::time_t when = timegm(&tm);
        if (when == -1) return std::nullopt;
        double wait = std::difftime(when, now);
        return std::clamp(Seconds(wait), Seconds(0), kMaxRetryWait);
    }
    return std::nullopt;
}

}  // namespace crawl
