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
#include "wakeup.hpp"

namespace corio {

int detail::open_wakeup_fd() {
    int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
    return fd;
}

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
    // The first call of a batch writes the eventfd; the rest see the flag and skip the syscall.
    // The write happens under the mutex so that once the loop has taken cb (under the same
    // mutex) this thread is done with the loop: the loop may then be destroyed, as a closing
    // loop does as soon as the last thread-pool job it waits for is back.
    if (!wake_pending_.load(std::memory_order_relaxed)) {
        wake_pending_.store(true, std::memory_order_relaxed);
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

void Loop::drain_inbox(bool woken) {
    // Without a wake-up this poll, an unlocked peek saves the mutex: a stale false only delays
    // the drain, since the eventfd write that went with the flag is still unread. After the
    // eventfd was read, the mutex is taken whatever the peek says, so no item can be stranded
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
