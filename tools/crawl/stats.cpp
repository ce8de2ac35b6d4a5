// Summary and progress text, and the latency histogram behind the percentiles.
#include "stats.hpp"

#include <bit>
#include <cstdio>

namespace crawl {

size_t LatencyHistogram::bucket_of(uint64_t us) noexcept {
    if (us < 2 * kSub) return static_cast<size_t>(us);
    // us >> shift lies in [kSub, 2 * kSub): 64 buckets per power of two.
    unsigned shift = static_cast<unsigned>(std::bit_width(us)) - 7;
    size_t b = kSub * shift + static_cast<size_t>(us >> shift);
    return b < kBuckets ? b : kBuckets - 1;
}

uint64_t LatencyHistogram::low(size_t b) noexcept {
    if (b < 2 * kSub) return b;
    size_t shift = b / kSub - 1;
    return static_cast<uint64_t>(b - kSub * shift) << shift;
}

void LatencyHistogram::add(uint64_t us) noexcept {
    ++counts_[bucket_of(us)];
    ++total_;
}

void LatencyHistogram::merge(const LatencyHistogram& o) noexcept {
    for (size_t i = 0; i < kBuckets; ++i) counts_[i] += o.counts_[i];
    total_ += o.total_;
}

uint64_t LatencyHistogram::quantile(double q) const noexcept {
    if (total_ == 0) return 0;
    auto rank = static_cast<uint64_t>(q * static_cast<double>(total_) + 0.999999);
    if (rank < 1) rank = 1;
    uint64_t seen = 0;
    for (size_t b = 0; b < kBuckets; ++b) {
        seen += counts_[b];
        if (seen >= rank) {
            uint64_t lo = low(b), hi = b + 1 < kBuckets ? low(b + 1) : lo + 1;
            return lo + (hi - lo) / 2;
        }
    }
    return low(kBuckets - 1);
}

void Stats::merge(const Stats& o) {
    urls += o.urls;
    requests += o.requests;
    ok += o.ok;
    bytes += o.bytes;
    retries += o.retries;
    robots_fetched += o.robots_fetched;
    handed_off += o.handed_off;
    for (const auto& [k, v] : o.errors) errors[k] += v;
    for (size_t i = 0; i < status_classes.size(); ++i) status_classes[i] += o.status_classes[i];
    latency.merge(o.latency);
}

std::string human_bytes(uint64_t bytes) {
    char buf[32];
    if (bytes < 1024) {
        std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
    } else if (bytes < (1u << 20)) {
        std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(bytes) / 1024);
    } else if (bytes < (1ull << 30)) {
        std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
    } else {
        std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(bytes) / (1ull << 30));
    }
    return buf;
}

std::string summary_text(const Stats& s, double wall) {
    std::string out;
    char buf[256];
    auto ms = [&](double q) { return static_cast<double>(s.latency.quantile(q)) / 1000.0; };
    std::snprintf(buf, sizeof buf,
                  "crawl: %llu URLs, %llu requests, %llu ok, %llu failed, %s in %.2f s "
                  "(%.0f req/s)\n",
                  static_cast<unsigned long long>(s.urls),
                  static_cast<unsigned long long>(s.requests),
                  static_cast<unsigned long long>(s.ok),
                  static_cast<unsigned long long>(s.failed()), human_bytes(s.bytes).c_str(), wall,
                  wall > 0 ? static_cast<double>(s.requests) / wall : 0.0);
    out += buf;
    if (s.latency.count()) {
        std::snprintf(buf, sizeof buf, "  latency p50 %.1f ms, p95 %.1f ms, p99 %.1f ms\n",
                      ms(0.50), ms(0.95), ms(0.99));
        out += buf;
    }
    std::string classes;
    for (size_t c = 1; c <= 5; ++c) {
        if (!s.status_classes[c]) continue;
        std::snprintf(buf, sizeof buf, "%s%zuxx %llu", classes.empty() ? "" : ", ", c,
                      static_cast<unsigned long long>(s.status_classes[c]));
        classes += buf;
    }
    if (!classes.empty()) out += "  status " + classes + "\n";
    if (!s.errors.empty()) {
        out += "  errors:";
        bool first = true;
        for (const auto& [kind, n] : s.errors) {
            std::snprintf(buf, sizeof buf, "%s %s %llu", first ? "" : ",", kind.c_str(),
                          static_cast<unsigned long long>(n));
            out += buf;
            first = false;
        }
        out += "\n";
    }
    if (s.retries || s.robots_fetched || s.handed_off) {
        std::snprintf(buf, sizeof buf, "  retries %llu, robots.txt fetched %llu, handed off %llu\n",
                      static_cast<unsigned long long>(s.retries),
                      static_cast<unsigned long long>(s.robots_fetched),
                      static_cast<unsigned long long>(s.handed_off));
        out += buf;
    }
    return out;
}

std::string progress_text(uint64_t done, uint64_t queued, double rate, uint64_t errors,
                          uint64_t bytes) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "crawl: %llu done, %llu queued, %.0f req/s, %llu errors, %s",
                  static_cast<unsigned long long>(done), static_cast<unsigned long long>(queued),
                  rate, static_cast<unsigned long long>(errors), human_bytes(bytes).c_str());
    return buf;
}

}  // namespace crawl
