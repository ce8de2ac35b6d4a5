// The loop's door for other threads: call_soon_threadsafe links a callback into a mutex-guarded
// inbox and, only when no wake-up is already pending, writes the eventfd once. The loop takes
// the whole inbox in one go, so a burst of calls costs one write and one read.
#include <errno.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>
#include <mutex>
#include <system_error>

#include "corio/loop.hpp"

namespace corio {

int open_wakeup_fd() {
    int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
    return fd;
}

void Loop::post_threadsafe(detail::CallbackNode* cb) {
    cb->link = nullptr;
    {
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
    }
    // acq_rel: a producer that sees false must be the one to write, and the loop's reset of the
    // flag (before it drains) must be ordered with its read of the inbox.
    if (!wake_pending_.exchange(true, std::memory_order_acq_rel)) {
        uint64_t one = 1;
        ssize_t r;
        do {
            r = ::write(wakeup_.fd, &one, sizeof one);
        } while (r < 0 && errno == EINTR);
        // EAGAIN means the counter is saturated: the loop is woken already.
    }
}

void Loop::on_wakeup(detail::IoWatcher* w, uint32_t) {
    uint64_t v;
    while (::read(w->fd, &v, sizeof v) < 0 && errno == EINTR) {
    }
}

void Loop::drain_inbox() {
    if (!wake_pending_.load(std::memory_order_acquire)) return;
    wake_pending_.store(false, std::memory_order_release);
    detail::CallbackNode* head;
    {
        std::lock_guard<std::mutex> g(inbox_mu_);
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
