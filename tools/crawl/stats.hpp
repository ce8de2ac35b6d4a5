// Counting a crawl for its summary and progress line: requests, outcomes by error kind, bytes,
// and a latency histogram (log-linear buckets, about 1.5 % wide: percentiles in fixed memory
// whatever the number of requests). One Stats per loop, merged at the end.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>

namespace crawl {

// Invariant: counts_[bucket_of(us)] counts the samples of us microseconds; bucket_of is
// monotonic and every bucket covers [low(b), low(b + 1)).
class LatencyHistogram {
public:
    void add(uint64_t micros) noexcept;
    void merge(const LatencyHistogram& other) noexcept;
    uint64_t count() const noexcept { return total_; }
    // The q-quantile (0 < q <= 1) in microseconds, as the middle of its bucket; 0 when empty.
    uint64_t quantile(double q) const noexcept;

    static size_t bucket_of(uint64_t micros) noexcept;
    static uint64_t low(size_t bucket) noexcept;

private:
    static constexpr size_t kSub = 64;             // buckets per power of two
    static constexpr size_t kBuckets = kSub * 40;  // up to 2^41 us (25 days)
    std::array<uint32_t, kBuckets> counts_{};
    uint64_t total_ = 0;
};

struct Stats {
    uint64_t urls = 0;      // lines written
    uint64_t requests = 0;  // URLs fetched (robots-disallowed and invalid ones are not)
    uint64_t ok = 0;        // lines with error null
    uint64_t bytes = 0;
    uint64_t retries = 0;
    uint64_t robots_fetched = 0;
    uint64_t handed_off = 0;
    std::map<std::string, uint64_t> errors;    // error string -> lines
    std::array<uint64_t, 6> status_classes{};  // [1..5]: 1xx..5xx
    LatencyHistogram latency;

    void merge(const Stats& other);
    uint64_t failed() const noexcept { return urls - ok; }
};

// The end-of-run summary for stderr (several lines, each ending in '\n').
std::string summary_text(const Stats& s, double wall_seconds);

// The one-line progress text (no '\r', no newline).
std::string progress_text(uint64_t done, uint64_t queued, double rate, uint64_t errors,
                          uint64_t bytes);

// "1.5 MiB" style.
std::string human_bytes(uint64_t bytes);

}  // namespace crawl
