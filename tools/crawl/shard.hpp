// Which shard and which thread a URL belongs to: a stable hash of its host, so that N processes
// given the same start list split one crawl with no coordination, and so that every URL of a
// host lands on the same loop (politeness and robots.txt stay per host, de-duplication stays
// local). The hash is part of crawl's contract: changing it re-deals every running crawl.
#pragma once

#include <cstdint>
#include <string_view>

namespace crawl {

// FNV-1a, 64 bits, over the bytes of s as they are (--save's file names).
uint64_t fnv1a64(std::string_view s) noexcept;

// FNV-1a, 64 bits (offset basis 14695981039346656037, prime 1099511628211), over the bytes of
// s with ASCII letters lower-cased.
uint64_t fnv1a64_lower(std::string_view s) noexcept;

// The key a URL is sharded by: its authority, lower case: the host, plus ":port" when the port
// is not the scheme's default ("example.org", "127.0.0.1:8080", "[::1]:8443"), as
// http::Url::authority() gives it.
// Shard of a key among count: fnv1a64_lower(key) % count.
uint32_t shard_of(std::string_view authority, uint32_t count) noexcept;

// Thread of a key among threads, inside one shard: (hash / shard_count) % threads, so the
// threads of one shard split its hosts evenly rather than all hashing alike.
uint32_t thread_of(std::string_view authority, uint32_t shard_count, uint32_t threads) noexcept;

}  // namespace crawl
