// Stable host hashing for --shard and --threads (see shard.hpp for the contract).
#include "shard.hpp"

namespace crawl {

namespace {

template <bool Lower>
uint64_t fnv1a64_of(std::string_view s) noexcept {
    uint64_t h = 14695981039346656037ull;
    for (char c : s) {
        auto b = static_cast<unsigned char>(c);
        if (Lower && b >= 'A' && b <= 'Z') b = static_cast<unsigned char>(b - 'A' + 'a');
        h ^= b;
        h *= 1099511628211ull;
    }
    return h;
}

}  // namespace

uint64_t fnv1a64(std::string_view s) noexcept { return fnv1a64_of<false>(s); }
uint64_t fnv1a64_lower(std::string_view s) noexcept { return fnv1a64_of<true>(s); }

uint32_t shard_of(std::string_view authority, uint32_t count) noexcept {
    return count <= 1 ? 0 : static_cast<uint32_t>(fnv1a64_lower(authority) % count);
}

uint32_t thread_of(std::string_view authority, uint32_t shard_count, uint32_t threads) noexcept {
    if (threads <= 1) return 0;
    uint64_t h = fnv1a64_lower(authority) / (shard_count ? shard_count : 1);
    return static_cast<uint32_t>(h % threads);
}

}  // namespace crawl
