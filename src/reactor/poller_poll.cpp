// poll(2) backend of the Poller: POSIX, so it runs anywhere, and CI runs the whole test suite on
// it to show that nothing outside the backends leans on epoll. Every wait hands the kernel the
// whole set, O(descriptors): epoll or kqueue is what a busy server wants.
//
// poll has no edges; kEdge watchers get them emulated (edge_emulation.hpp): a reported
// direction is left out of the set until the owner acts on it again. A watcher with nothing
// left to ask for is left out entirely (fd -1), since POLLHUP and POLLERR come whatever the
// events asked, and a hung-up socket nobody reads would otherwise wake every wait.
//
// Invariants: fds_[i] and watchers_[i] describe the same registration; slot 0 is the wake-up
// pipe (watchers_[0] is the loop's wake-up token); slot_of_[fd] is fd's index, -1 when absent.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>

#include <system_error>
#include <vector>

#include "edge_emulation.hpp"
#include "platform.hpp"
#include "poller.hpp"
#include "wakeup.hpp"

namespace corio::detail {

namespace {

constexpr uint32_t kDirections = kReadable | kWritable;

uint32_t from_poll(short revents) {
    uint32_t r = 0;
    if (revents & POLLIN) r |= kReadable;
    if (revents & POLLOUT) r |= kWritable;
    // As with epoll: an error or hangup wakes both sides, which find it through their syscall.
    if (revents & (POLLERR | POLLNVAL)) r |= kError | kDirections;
    if (revents & POLLHUP) r |= kHangup | kDirections;
    return r;
}

class PollPoller final : public Poller {
public:
    explicit PollPoller(IoWatcher* wakeup) {
        wake_fd_.open();
        fds_.push_back(pollfd{wake_fd_.read_fd, POLLIN, 0});
        watchers_.push_back(wakeup);
    }
    ~PollPoller() override {
        for (size_t i = 1; i < watchers_.size(); ++i) EdgeTable::untrack(watchers_[i]);
    }

    const char* name() const noexcept override { return "poll"; }

    int add(IoWatcher* w, uint32_t interest) override {
        // poll would only say POLLNVAL at the next wait; epoll refuses a bad fd at once.
        if (w->fd < 0 || ::fcntl(w->fd, F_GETFD) < 0) return -EBADF;
        if (index(w->fd) >= 0) return -EEXIST;
        if (static_cast<size_t>(w->fd) >= slot_of_.size()) slot_of_.resize(w->fd + 1, -1);
        slot_of_[w->fd] = static_cast<int>(fds_.size());
        fds_.push_back(pollfd{w->fd, 0, 0});
        watchers_.push_back(w);
        set_interest(w, interest);
        return 0;
    }

    int modify(IoWatcher* w, uint32_t interest) override {
        int i = index(w->fd);
        if (i < 0 || watchers_[i] != w) return -ENOENT;
        set_interest(w, interest);
        return 0;
    }

    int remove(IoWatcher* w) override {
        int i = index(w->fd);
        if (i < 0 || watchers_[i] != w) return 0;
        EdgeTable::untrack(w);
        int last = static_cast<int>(fds_.size()) - 1;
        if (i != last) {
            fds_[i] = fds_[last];
            watchers_[i] = watchers_[last];
            slot_of_[watchers_[i]->fd] = i;
        }
        fds_.pop_back();
        watchers_.pop_back();
        slot_of_[w->fd] = -1;
        return 0;
    }

    int wait(int64_t timeout_ns, PollEvent* out, int max) override;

    void wake() noexcept override { wake_fd_.signal(); }

private:
    int index(int fd) const {
        return fd >= 0 && static_cast<size_t>(fd) < slot_of_.size() ? slot_of_[fd] : -1;
    }

    void set_interest(IoWatcher* w, uint32_t interest) {
        w->interest = interest;
        w->disarmed = 0;
        // Past the table's reach the watcher stays level-triggered: correct, if wakeful.
        if (!(interest & kEdge) || !EdgeTable::track(w)) {
            EdgeTable::untrack(w);
            w->interest &= ~kEdge;
        }
    }

    // The pollfd entries from the watchers' interest, less what the edge emulation disarmed.
    void refresh() {
        for (size_t i = 1; i < fds_.size(); ++i) {
            IoWatcher* w = watchers_[i];
            uint32_t want = w->interest & kDirections & ~w->disarmed;
            fds_[i].fd = want ? w->fd : -1;
            fds_[i].events = static_cast<short>(((want & kReadable) ? POLLIN : 0) |
                                                ((want & kWritable) ? POLLOUT : 0));
        }
    }

    int call_poll(int64_t timeout_ns);

    WakeupFd wake_fd_;
    std::vector<pollfd> fds_;
    std::vector<IoWatcher*> watchers_;
    std::vector<int> slot_of_;
};

int PollPoller::call_poll(int64_t timeout_ns) {
#if CORIO_HAVE_PPOLL
    timespec ts{static_cast<time_t>(timeout_ns / 1000000000),
                static_cast<long>(timeout_ns % 1000000000)};
    return ::ppoll(fds_.data(), fds_.size(), timeout_ns < 0 ? nullptr : &ts, nullptr);
#else
    // Rounded up: waking early would only make the loop wait again.
    int64_t ms64 = timeout_ns < 0 ? -1 : (timeout_ns + 999999) / 1000000;
    int ms = ms64 > 0x7fffffff ? 0x7fffffff : static_cast<int>(ms64);
    return ::poll(fds_.data(), fds_.size(), ms);
#endif
}

int PollPoller::wait(int64_t timeout_ns, PollEvent* out, int max) {
    refresh();
    int ready = call_poll(timeout_ns);
    if (ready < 0) return errno == EINTR ? 0 : -errno;
    int n = 0;
    for (size_t i = 0; i < fds_.size() && ready > 0 && n < max; ++i) {
        short revents = fds_[i].revents;
        if (revents == 0) continue;
        --ready;
        IoWatcher* w = watchers_[i];
        uint32_t events = from_poll(revents);
        if (i == 0) {
            wake_fd_.drain();
            events = kReadable;
        } else if (w->interest & kEdge) {
            w->disarmed |= events & kDirections;
        }
        out[n++] = PollEvent{w, events};
    }
    // Entries past `max` stay armed: the next wait reports them again.
    return n;
}

}  // namespace

std::unique_ptr<Poller> make_poll_poller(IoWatcher* wakeup) {
    return std::make_unique<PollPoller>(wakeup);
}

}  // namespace corio::detail
