// The fd -> edge watcher table of the poll backend's edge emulation (see edge_emulation.hpp).
// Two levels of 4096 entries, chunks made on first use and kept for the process's life, so a
// lookup takes no lock. Layer 1.
#include "edge_emulation.hpp"

#include <mutex>
#include <new>

namespace corio::detail {

namespace {

constexpr int kChunkBits = 12;
constexpr int kChunk = 1 << kChunkBits;
constexpr int kChunks = 4096;  // fds below 16M
using Entry = std::atomic<IoWatcher*>;

std::atomic<Entry*> g_chunks[kChunks];
std::mutex g_grow;

Entry* slot(int fd, bool make) noexcept {
    if (fd < 0 || (fd >> kChunkBits) >= kChunks) return nullptr;
    std::atomic<Entry*>& top = g_chunks[fd >> kChunkBits];
    Entry* c = top.load(std::memory_order_acquire);
    if (!c && make) {
        std::lock_guard<std::mutex> g(g_grow);
        c = top.load(std::memory_order_acquire);
        if (!c) {
            c = new (std::nothrow) Entry[kChunk]();
            if (!c) return nullptr;
            top.store(c, std::memory_order_release);
        }
    }
    return c ? &c[fd & (kChunk - 1)] : nullptr;
}

}  // namespace

std::atomic<long> EdgeTable::tracked_{0};

bool EdgeTable::track(IoWatcher* w) noexcept {
    Entry* s = slot(w->fd, true);
    if (!s) return false;
    if (s->exchange(w, std::memory_order_relaxed) == nullptr) {
        tracked_.fetch_add(1, std::memory_order_relaxed);
    }
    return true;
}

void EdgeTable::untrack(IoWatcher* w) noexcept {
    Entry* s = slot(w->fd, false);
    IoWatcher* expected = w;
    if (s && s->compare_exchange_strong(expected, nullptr, std::memory_order_relaxed)) {
        tracked_.fetch_sub(1, std::memory_order_relaxed);
    }
}

void EdgeTable::touched_slow(int fd, uint32_t direction) noexcept {
    // Only the fd's loop thread operates on it and registers it, so the watcher is alive and
    // its bits are this thread's to change.
    Entry* s = slot(fd, false);
    if (IoWatcher* w = s ? s->load(std::memory_order_relaxed) : nullptr) w->disarmed &= ~direction;
}

}  // namespace corio::detail
