// The slow paths of the frame pool (include/corio/detail/frame_pool.hpp): reserving the region,
// carving chunks, the orphan pool shared between threads, and the reaper at thread exit.
#include "corio/detail/frame_pool.hpp"

#include <sys/mman.h>

#include <mutex>

namespace corio::detail {

namespace {

constexpr size_t kRegionBytes = size_t{256} << 20;  // address space only, touched on use
constexpr size_t kChunkBytes = size_t{64} << 10;

std::once_flag region_once;
std::atomic<char*> region_next{nullptr};

std::mutex orphans_mu;
FramePool::Block* orphans[FramePool::kClasses];  // guarded by orphans_mu
std::atomic<bool> orphans_any{false};

void reserve_region() {
    void* p = mmap(nullptr, kRegionBytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return;  // no region: every block comes from operator new
    auto* base = static_cast<char*>(p);
    region_next.store(base, std::memory_order_relaxed);
    frame_region_end.store(base + kRegionBytes, std::memory_order_release);
    frame_region_base.store(base, std::memory_order_release);
}

// The uncarved rest of an exited thread's chunk, kept whole for the next thread whose chunk
// runs out. Only its first bytes are written: carving it into blocks would touch (and so
// commit) every page of it, up to 64 KiB at each thread's exit. Each holds a block of any class.
struct Spare {
    Spare* next;
    char* end;
};
constexpr size_t kSpareMin = FramePool::kClasses * FramePool::kGranule;
Spare* spares = nullptr;  // guarded by orphans_mu
std::atomic<bool> spares_any{false};

void push_orphan(FramePool::Block* b, size_t cls) {
    b->next = orphans[cls];
    orphans[cls] = b;
}

struct Reaper {
    ~Reaper() {
        FramePool& p = tl_frame_pool;
        std::lock_guard<std::mutex> g(orphans_mu);
        for (size_t c = 0; c < FramePool::kClasses; ++c) {
            while (FramePool::Block* b = p.heads[c]) {
                p.heads[c] = b->next;
                push_orphan(b, c);
            }
        }
        if (p.bump && size_t(p.bump_end - p.bump) >= kSpareMin) {
            auto* rest = reinterpret_cast<Spare*>(p.bump);
            rest->next = spares;
            rest->end = p.bump_end;
            spares = rest;
            spares_any.store(true, std::memory_order_relaxed);
            p.bump = p.bump_end = nullptr;
        }
        // A smaller rest is carved into the smallest class rather than lost.
        size_t unit = FramePool::kGranule * 8;
        while (p.bump && p.bump + unit <= p.bump_end) {
            push_orphan(reinterpret_cast<FramePool::Block*>(p.bump), 8);
            p.bump += unit;
        }
        p.bump = p.bump_end = nullptr;
        p.dead = true;
        orphans_any.store(true, std::memory_order_relaxed);
    }
};

void arm_reaper(FramePool& p) {
    static thread_local Reaper reaper;
    (void)&reaper;
    p.reaper_armed = true;
}

// Makes an exited thread's rest p's chunk; false when there is none.
bool take_spare(FramePool& p) {
    if (!spares_any.load(std::memory_order_relaxed)) return false;
    std::lock_guard<std::mutex> g(orphans_mu);
    Spare* rest = spares;
    if (!rest) return false;
    spares = rest->next;
    if (!spares) spares_any.store(false, std::memory_order_relaxed);
    p.bump = reinterpret_cast<char*>(rest);
    p.bump_end = rest->end;
    return true;
}

}  // namespace

void* frame_alloc_slow(size_t cls) {
    FramePool& p = tl_frame_pool;
    const size_t size = cls * FramePool::kGranule;
    if (p.dead) return ::operator new(size);
    if (!p.reaper_armed) arm_reaper(p);
    if (orphans_any.load(std::memory_order_relaxed)) {
        std::lock_guard<std::mutex> g(orphans_mu);
        if (FramePool::Block* b = orphans[cls]) {
            orphans[cls] = b->next;
            return b;
        }
    }
    if ((!p.bump || p.bump + size > p.bump_end) && !take_spare(p)) {
        std::call_once(region_once, reserve_region);
        char* end = frame_region_end.load(std::memory_order_acquire);
        if (!end) return ::operator new(size);  // no region
        char* chunk = region_next.fetch_add(kChunkBytes, std::memory_order_relaxed);
        if (chunk + kChunkBytes > end) return ::operator new(size);  // region full
        p.bump = chunk;
        p.bump_end = chunk + kChunkBytes;
    }
    void* b = p.bump;
    p.bump += size;
    return b;
}

void frame_free_slow(void* ptr, size_t cls) noexcept {
    FramePool& p = tl_frame_pool;
    if (!p.dead) {
        // First free on a thread that never allocated: arm its reaper, then keep the block.
        arm_reaper(p);
        auto* b = static_cast<FramePool::Block*>(ptr);
        b->next = p.heads[cls];
        p.heads[cls] = b;
        return;
    }
    std::lock_guard<std::mutex> g(orphans_mu);
    push_orphan(static_cast<FramePool::Block*>(ptr), cls);
    orphans_any.store(true, std::memory_order_relaxed);
}

}  // namespace corio::detail
