// Recycling of coroutine frames, task states and callbacks: per-thread free lists by 8-byte
// size class, fed from one process-wide region of address space. Once a program has warmed up,
// spawning a task costs a pop and finishing one a push; blocks carry no malloc header, which is
// a third of an idle task's memory at these sizes.
//
// Invariants: every pooled block lies in the region [region_base, region_end) and was carved
// for exactly its class's size; blocks outside the region (region full or absent, or bigger
// than the largest class) come from operator new and go straight back to operator delete.
// Region blocks are never unmapped, so a block may be freed on any thread at any time (it then
// joins that thread's lists); a thread's lists go to a shared orphan pool when it exits, and the
// uncarved rest of its chunk to the next thread that needs one. The region bounds what is
// retained: at most kRegionBytes of peak task memory stay for reuse.
// Under ASan/TSan the pool is off, so the sanitizers see every frame's real lifetime.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define CORIO_FRAME_POOL 0
#else
#define CORIO_FRAME_POOL 1
#endif

namespace corio::detail {

struct FramePool {
    static constexpr size_t kGranule = 8;
    // Blocks up to 4 KiB are pooled: a request handler's or a crawl fetch's frame (a Response,
    // a Url and their wrappers) is 1-3 KiB, and malloc costs it a lookup and a free each time.
    static constexpr size_t kClasses = 513;
    struct Block {
        Block* next;
    };
    Block* heads[kClasses];
    char* bump;  // the thread's current chunk of the region: [bump, bump_end) is uncarved
    char* bump_end;
    bool reaper_armed;
    bool dead;  // the thread is exiting: frees go to the shared orphan pool
};

// Trivially destructible so the hot path pays no TLS guard; the reaper (frame_pool.cpp) hands
// the lists over at thread exit.
inline thread_local FramePool tl_frame_pool{};
inline std::atomic<char*> frame_region_base{nullptr};
inline std::atomic<char*> frame_region_end{nullptr};

void* frame_alloc_slow(size_t cls);
void frame_free_slow(void* p, size_t cls) noexcept;

inline bool in_frame_region(const void* p) noexcept {
    auto* c = static_cast<const char*>(p);
    return c >= frame_region_base.load(std::memory_order_acquire) &&
           c < frame_region_end.load(std::memory_order_acquire);
}

inline void* frame_alloc(size_t n) {
#if CORIO_FRAME_POOL
    size_t c = (n + FramePool::kGranule - 1) / FramePool::kGranule;
    if (c < FramePool::kClasses) {
        FramePool& p = tl_frame_pool;
        if (FramePool::Block* b = p.heads[c]) {
            p.heads[c] = b->next;
            return b;
        }
        return frame_alloc_slow(c);
    }
#endif
    return ::operator new(n);
}

inline void frame_free(void* ptr, size_t n) noexcept {
#if CORIO_FRAME_POOL
    size_t c = (n + FramePool::kGranule - 1) / FramePool::kGranule;
    if (c < FramePool::kClasses && in_frame_region(ptr)) {
        FramePool& p = tl_frame_pool;
        if (p.reaper_armed && !p.dead) {
            auto* b = static_cast<FramePool::Block*>(ptr);
            b->next = p.heads[c];
            p.heads[c] = b;
            return;
        }
        frame_free_slow(ptr, c);
        return;
    }
#endif
    (void)n;
    ::operator delete(ptr);  // unsized: a pooled class may have been rounded up from n
}

}  // namespace corio::detail
