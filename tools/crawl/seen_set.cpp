// SeenSet: linear probing over a power-of-two table of 64-bit hashes (see seen_set.hpp).
#include "seen_set.hpp"

#include <functional>

namespace crawl {
namespace {

uint64_t stored(uint64_t h) { return h ? h : 1; }

}  // namespace

uint64_t SeenSet::hash(std::string_view url) noexcept {
    // libstdc++ hashes bytes with 64-bit MurmurHash2, well mixed for this purpose.
    return std::hash<std::string_view>{}(url);
}

bool SeenSet::contains_hash(uint64_t h) const {
    if (!mask_) return false;
    h = stored(h);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
        if (slots_[i] == h) return true;
        if (slots_[i] == 0) return false;
    }
}

bool SeenSet::insert_hash(uint64_t h) {
    if ((size_ + 1) * 4 > capacity() * 3) grow();
    h = stored(h);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
        if (slots_[i] == h) return false;
        if (slots_[i] == 0) {
            slots_[i] = h;
            ++size_;
            return true;
        }
    }
}

// Doubles the table. During the copy both tables are alive (1.5x the new size for a moment).
void SeenSet::grow() {
    size_t cap = capacity() ? capacity() * 2 : 1024;
    std::unique_ptr<uint64_t[]> fresh(new uint64_t[cap]());
    size_t mask = cap - 1;
    for (size_t i = 0; i < capacity(); ++i) {
        uint64_t h = slots_[i];
        if (!h) continue;
        size_t j = h & mask;
        while (fresh[j]) j = (j + 1) & mask;
        fresh[j] = h;
    }
    slots_ = std::move(fresh);
    mask_ = mask;
}

}  // namespace crawl
