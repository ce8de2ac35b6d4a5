// Recycling of coroutine frames and task states: per-thread free lists by 16-byte size class,
// so that once a program has warmed up, spawning a task costs a pop and finishing one a push
// instead of two trips through malloc. Used by Coro's promise and by TaskCore.
//
// Invariants: a block on the list of class c was allocated with exactly c * 16 bytes; each list
// holds at most kMaxCachedBytes / (c * 16) blocks, so a burst of a million tasks does not pin
// its peak memory forever; blocks may be freed on another thread than the one that allocated
// them (they then join that thread's lists). Under ASan/TSan the pool is off, so the sanitizers
// see every frame's real lifetime.
#pragma once

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
    static constexpr size_t kGranule = 16;
    static constexpr size_t kClasses = 64;  // blocks up to 1 KiB are pooled
    static constexpr size_t kMaxCachedBytes = 64u << 20;
    struct Block {
        Block* next;
    };
    Block* heads[kClasses];
    uint32_t counts[kClasses];
    bool reaper_armed;
};

// Trivially destructible so the hot path pays no TLS guard; the lists are given back at thread
// exit by a reaper armed on the first push (frame_pool.cpp).
inline thread_local FramePool tl_frame_pool{};
void arm_frame_pool_reaper() noexcept;

inline void* frame_alloc(size_t n) {
#if CORIO_FRAME_POOL
    size_t c = (n + FramePool::kGranule - 1) / FramePool::kGranule;
    if (c < FramePool::kClasses) {
        FramePool& p = tl_frame_pool;
        if (FramePool::Block* b = p.heads[c]) {
            p.heads[c] = b->next;
            --p.counts[c];
            return b;
        }
        return ::operator new(c* FramePool::kGranule);
    }
#endif
    return ::operator new(n);
}

inline void frame_free(void* ptr, size_t n) noexcept {
#if CORIO_FRAME_POOL
    size_t c = (n + FramePool::kGranule - 1) / FramePool::kGranule;
    if (c < FramePool::kClasses) {
        FramePool& p = tl_frame_pool;
        if (p.counts[c] < FramePool::kMaxCachedBytes / (c * FramePool::kGranule)) {
            if (!p.reaper_armed) arm_frame_pool_reaper();
            auto* b = static_cast<FramePool::Block*>(ptr);
            b->next = p.heads[c];
            p.heads[c] = b;
            ++p.counts[c];
            return;
        }
        ::operator delete(ptr, c* FramePool::kGranule);
        return;
    }
#endif
    ::operator delete(ptr, n);
}

}  // namespace corio::detail
