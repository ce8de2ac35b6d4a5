// Gives a thread's pooled frames back to the allocator when the thread exits (see
// include/corio/detail/frame_pool.hpp for why the pool itself has no destructor).
#include "corio/detail/frame_pool.hpp"

namespace corio::detail {

namespace {

struct Reaper {
    ~Reaper() {
        FramePool& p = tl_frame_pool;
        for (size_t c = 0; c < FramePool::kClasses; ++c) {
            while (FramePool::Block* b = p.heads[c]) {
                p.heads[c] = b->next;
                ::operator delete(b, c* FramePool::kGranule);
            }
            p.counts[c] = 0;
        }
        // A frame freed after this (by another thread-exit destructor) goes straight back to
        // the allocator instead of re-arming a reaper that would never run.
        p.reaper_armed = true;
        for (size_t c = 0; c < FramePool::kClasses; ++c) p.counts[c] = UINT32_MAX;
    }
};

}  // namespace

void arm_frame_pool_reaper() noexcept {
    static thread_local Reaper reaper;
    (void)&reaper;
    tl_frame_pool.reaper_armed = true;
}

}  // namespace corio::detail
