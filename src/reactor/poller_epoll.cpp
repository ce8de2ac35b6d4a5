// Linux epoll(7) backend of the Poller.
// Edge-triggered interest (kEdge) is registered once per fd and never touched again: streams
// keep their own readiness bits, which saves an epoll_ctl per read or write (as Tokio does).
// The timeout goes through epoll_pwait2 when the kernel has it, so timers wake on their
// deadline instead of the next whole millisecond. Wake-ups: an eventfd in the set.
#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <system_error>

#include "platform.hpp"
#include "poller.hpp"
#include "wakeup.hpp"

namespace corio::detail {

namespace {

uint32_t to_epoll(uint32_t interest) {
    uint32_t ev = 0;
    if (interest & kReadable) ev |= EPOLLIN | EPOLLRDHUP;
    if (interest & kWritable) ev |= EPOLLOUT;
    if (interest & kEdge) ev |= EPOLLET;
    return ev;
}

uint32_t from_epoll(uint32_t ev) {
    uint32_t r = 0;
    if (ev & (EPOLLIN | EPOLLPRI)) r |= kReadable;
    if (ev & EPOLLOUT) r |= kWritable;
    // EPOLLERR and EPOLLHUP arrive whatever the interest; a waiter on either side must wake
    // and find the error through its own syscall.
    if (ev & EPOLLERR) r |= kError | kReadable | kWritable;
    if (ev & EPOLLHUP) r |= kHangup | kReadable | kWritable;
    if (ev & EPOLLRDHUP) r |= kHangup | kReadable;
    return r;
}

// Set once when the kernel says ENOSYS. ThreadSanitizer (gcc 12) does not intercept
// epoll_pwait2, and it delivers a signal that arrived during an unintercepted call only at the
// next intercepted one, which a loop waking only from epoll_pwait2 may never make: TSan builds
// use epoll_wait.
#if CORIO_HAVE_EPOLL_PWAIT2
#if defined(__SANITIZE_THREAD__)
bool pwait2_missing = true;
#else
bool pwait2_missing = false;
#endif
#endif

class EpollPoller final : public Poller {
public:
    explicit EpollPoller(IoWatcher* wakeup) : wakeup_(wakeup) {
        fd_ = epoll_create1(EPOLL_CLOEXEC);
        if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
        try {
            wake_fd_.open();
        } catch (...) {
            ::close(fd_);
            throw;
        }
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.ptr = wakeup_;
        if (epoll_ctl(fd_, EPOLL_CTL_ADD, wake_fd_.read_fd, &ev) != 0) {
            int err = errno;
            ::close(fd_);
            throw std::system_error(err, std::generic_category(), "registering the wake-up fd");
        }
    }
    ~EpollPoller() override { ::close(fd_); }

    const char* name() const noexcept override { return "epoll"; }

    int add(IoWatcher* w, uint32_t interest) override { return ctl(EPOLL_CTL_ADD, w, interest); }
    int modify(IoWatcher* w, uint32_t interest) override { return ctl(EPOLL_CTL_MOD, w, interest); }

    int remove(IoWatcher* w) override {
        // A closed fd has already left the epoll set (when no dup of it remains): not an error.
        if (epoll_ctl(fd_, EPOLL_CTL_DEL, w->fd, nullptr) == 0) return 0;
        return (errno == EBADF || errno == ENOENT) ? 0 : -errno;
    }

    int wait(int64_t timeout_ns, PollEvent* out, int max) override;

    void wake() noexcept override { wake_fd_.signal(); }

private:
    int ctl(int op, IoWatcher* w, uint32_t interest) {
        epoll_event ev{};
        ev.events = to_epoll(interest);
        ev.data.ptr = w;
        return epoll_ctl(fd_, op, w->fd, &ev) == 0 ? 0 : -errno;
    }

    int fd_ = -1;
    IoWatcher* wakeup_;
    WakeupFd wake_fd_;
};

int EpollPoller::wait(int64_t timeout_ns, PollEvent* out, int max) {
    constexpr int kBatch = 256;
    epoll_event evs[kBatch];
    if (max > kBatch) max = kBatch;
    int n;
#if CORIO_HAVE_EPOLL_PWAIT2
    if (!pwait2_missing && timeout_ns > 0) {
        timespec ts{static_cast<time_t>(timeout_ns / 1000000000),  // time_t: no overflow
                    static_cast<long>(timeout_ns % 1000000000)};
        n = epoll_pwait2(fd_, evs, max, &ts, nullptr);
        if (n < 0 && errno == ENOSYS) {
            pwait2_missing = true;
            return wait(timeout_ns, out, max);
        }
    } else
#endif
    {
        int64_t ms64 = timeout_ns < 0 ? -1 : (timeout_ns + 999999) / 1000000;
        int ms = ms64 > 0x7fffffff ? 0x7fffffff : static_cast<int>(ms64);
        n = epoll_wait(fd_, evs, max, ms);
    }
    if (n < 0) return errno == EINTR ? 0 : -errno;
    for (int i = 0; i < n; ++i) {
        auto* w = static_cast<IoWatcher*>(evs[i].data.ptr);
        if (w == wakeup_) wake_fd_.drain();
        out[i].watcher = w;
        out[i].events = from_epoll(evs[i].events);
    }
    return n;
}

}  // namespace

std::unique_ptr<Poller> make_epoll_poller(IoWatcher* wakeup) {
    return std::make_unique<EpollPoller>(wakeup);
}

}  // namespace corio::detail
