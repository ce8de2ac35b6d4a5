// When to try a failed request again: exponential backoff with jitter, or what the server asked
// for in Retry-After (delta-seconds or an HTTP date), capped so one server cannot park a crawl.
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <optional>
#include <random>
#include <string_view>

namespace crawl {

using Seconds = std::chrono::duration<double>;

// The longest wait crawl accepts from Retry-After or backoff.
inline constexpr Seconds kMaxRetryWait{60.0};

// Backoff before retry number attempt (1 for the first retry): 0.5 s * 2^(attempt-1), capped
// at kMaxRetryWait, times a random factor in [0.5, 1) ("equal jitter") so that many clients
// failing together do not come back together.
Seconds backoff(int attempt, std::mt19937_64& rng);

// The wait a Retry-After value asks for (RFC 9110 10.2.3): "120", or an IMF-fixdate such as
// "Wed, 21 Oct 2015 07:28:00 GMT" (RFC 850 and asctime dates too), relative to now; a date in
// the past is 0. Capped at kMaxRetryWait. nullopt when the value is neither.
std::optional<Seconds> parse_retry_after(std::string_view value, std::time_t now);

}  // namespace crawl
