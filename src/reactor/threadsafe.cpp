// The loop's door for other threads: call_soon_threadsafe links a callback into a mutex-guarded
// inbox and, only when no wake-up is already pending, wakes the poller once (an eventfd or pipe
// write, or kqueue's EVFILT_USER trigger). The loop takes the whole inbox in one go, so a burst
// of calls costs one wake-up.
#include <mutex>

#include "corio/loop.hpp"
#include "poller.hpp"

namespace corio {

void Loop::post_threadsafe(detail::CallbackNode* cb) {
    cb->link = nullptr;
    std::lock_guard<std::mutex> g(inbox_mu_);
    if (closed_) {
        // Nobody will ever run it: release it here rather than leak it.
        cb->drop();
        return;
    }
    if (inbox_tail_) {
        inbox_tail_->link = cb;
    } else {
        inbox_head_ = cb;
    }
    inbox_tail_ = cb;
    // The first call of a batch wakes the poller; the rest see the flag and skip the syscall.
    // The wake-up happens under the mutex so that once the loop has taken cb (under the same
    // mutex) this thread is done with the loop: the loop may then be destroyed, as a closing
    // loop does as soon as the last thread-pool job it waits for is back.
    if (!wake_pending_.load(std::memory_order_relaxed)) {
        wake_pending_.store(true, std::memory_order_relaxed);
        poller_->wake();
    }
}

// The poller has consumed the wake-up before reporting it; dispatch_io notes that it came.
void Loop::on_wakeup(detail::IoWatcher*, uint32_t) {}

void Loop::drain_inbox(bool woken) {
    // Without a wake-up this poll, an unlocked peek saves the mutex: a stale false only delays
    // the drain, since the wake-up that went with the flag is still pending. After a wake-up
    // was consumed, the mutex is taken whatever the peek says, so no item can be stranded
    // behind a consumed wake-up.
    if (!woken && !wake_pending_.load(std::memory_order_relaxed)) return;
    detail::CallbackNode* head;
    {
        std::lock_guard<std::mutex> g(inbox_mu_);
        wake_pending_.store(false, std::memory_order_relaxed);
        head = inbox_head_;
        inbox_head_ = inbox_tail_ = nullptr;
    }
    while (head) {
        detail::CallbackNode* next = head->link;
        head->link = nullptr;
        ready_.push(head);
        head = next;
    }
}

}  // namespace corio
