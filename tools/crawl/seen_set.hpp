// The crawl frontier's de-duplication set: 64-bit hashes of normalised URLs in an open-addressing
// table (linear probing), 8 bytes a slot, filled to between 3/8 and 3/4: 11 to 21 bytes per URL
// whatever the URL's length (a million URLs: 16 MiB).
//
// A hash stands for its URL, so two different URLs with the same 64-bit hash are taken as one
// and the second is never fetched. With a good 64-bit hash the chance that any two of n URLs
// collide is about n^2 / 2^65: 3e-8 for a million URLs, 3e-4 for a hundred million.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace crawl {

class SeenSet {
public:
    SeenSet() = default;
    SeenSet(const SeenSet&) = delete;
    SeenSet& operator=(const SeenSet&) = delete;

    // Adds url; true when it was not there yet (the caller should fetch it).
    bool insert(std::string_view url) { return insert_hash(hash(url)); }
    bool contains(std::string_view url) const { return contains_hash(hash(url)); }

    // The same on a precomputed hash (tests use them to force collisions).
    bool insert_hash(uint64_t h);
    bool contains_hash(uint64_t h) const;

    size_t size() const noexcept { return size_; }
    size_t capacity() const noexcept { return mask_ ? mask_ + 1 : 0; }
    size_t memory_bytes() const noexcept { return capacity() * sizeof(uint64_t); }

    // A 64-bit hash of the bytes (murmur-style mixing; not stable across builds, never stored).
    static uint64_t hash(std::string_view url) noexcept;

private:
    void grow();

    // Invariants: the capacity is 0 or a power of two; slot value 0 means empty (a hash of 0
    // is stored as 1); size_ <= capacity * 3 / 4, so every probe sequence ends at an empty slot.
    std::unique_ptr<uint64_t[]> slots_;
    size_t mask_ = 0;
    size_t size_ = 0;
};

}  // namespace crawl
