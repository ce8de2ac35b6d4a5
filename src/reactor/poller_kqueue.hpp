// kqueue(2) backend of the Poller (FreeBSD, macOS, the other BSDs), kept in a header so that a
// test can drive its change-list logic through a fake kevent on Linux (tests/test_poller_kqueue,
// against the declarations-only tests/standin/sys/event.h). Include <sys/event.h> first.
//
// Changes are batched as kqueue intends: a removal or a change of interest is queued and goes
// to the kernel with the next wait, in the same kevent call, applied before events are read.
// An add is applied at once (with what is queued before it, in order), since its caller wants
// -errno now; EV_RECEIPT makes the kernel answer for every entry without draining events.
// kEdge maps to EV_CLEAR. Wake-ups are an EVFILT_USER event, or a pipe where that is missing.
//
// Invariants: changes_ holds at most kMaxPending entries, so a wait's eventlist always has room
// for every failure the kernel reports back (a full eventlist would make kevent fail instead);
// a queued EV_DELETE carries no udata, so a failed delete never names a freed watcher; stash_
// holds events read early (by an add's kevent call), never one for a removed watcher.
#pragma once

#include <errno.h>
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <system_error>
#include <vector>

#include "poller.hpp"
#include "wakeup.hpp"

#if !defined(EVFILT_READ)
#error "include <sys/event.h> (or tests/standin/sys/event.h) before poller_kqueue.hpp"
#endif

#if defined(EVFILT_USER) && !defined(CORIO_KQUEUE_NO_EVFILT_USER)
#define CORIO_KQUEUE_USER_WAKEUP 1
#endif

namespace corio::detail {

using KeventFn = int (*)(int kq, const struct kevent* changes, int nchanges, struct kevent* events,
                         int nevents, const struct timespec* timeout);

class KqueuePoller final : public Poller {
public:
    static constexpr int kMaxPending = 64;
    static constexpr int kBatch = 256;
    static constexpr uintptr_t kWakeIdent = 1;  // the EVFILT_USER event's identifier

    // Takes ownership of kq (closed by the destructor). Throws std::system_error when the
    // wake-up cannot be registered.
    KqueuePoller(int kq, KeventFn kevent_fn, IoWatcher* wakeup)
        : kq_(kq), kevent_(kevent_fn), wakeup_(wakeup) {
        struct kevent ev;
#if CORIO_KQUEUE_USER_WAKEUP
        EV_SET(&ev, kWakeIdent, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, wakeup_);
#else
        wake_fd_.open();
        EV_SET(&ev, wake_fd_.read_fd, EVFILT_READ, EV_ADD, 0, 0, wakeup_);
#endif
        int err = apply_now(&ev, 1);
        if (err != 0) {
            ::close(kq_);
            throw std::system_error(err, std::generic_category(), "registering the wake-up");
        }
    }
    ~KqueuePoller() override { ::close(kq_); }

    const char* name() const noexcept override { return "kqueue"; }

    int add(IoWatcher* w, uint32_t interest) override {
        if (w->fd < 0) return -EBADF;
        struct kevent evs[2];
        int n = 0;
        unsigned short flags = EV_ADD | ((interest & kEdge) ? EV_CLEAR : 0);
        // No side effects inside EV_SET: macOS's evaluates its arguments more than once.
        if (interest & kReadable) {
            EV_SET(&evs[n], w->fd, EVFILT_READ, flags, 0, 0, w);
            ++n;
        }
        if (interest & kWritable) {
            EV_SET(&evs[n], w->fd, EVFILT_WRITE, flags, 0, 0, w);
            ++n;
        }
        int err = apply_now(evs, n);
        if (err != 0) {
            // Whatever part went in comes out again, with the next wait.
            queue_delete(w->fd, interest);
            return -err;
        }
        w->interest = interest;
        return 0;
    }

    int modify(IoWatcher* w, uint32_t interest) override {
        // EV_ADD on a registered event changes its flags and udata; an EV_DELETE of a filter
        // that was never added fails with ENOENT, which wait() ignores.
        unsigned short flags = EV_ADD | ((interest & kEdge) ? EV_CLEAR : 0);
        for (short filter : {short(EVFILT_READ), short(EVFILT_WRITE)}) {
            bool want = interest & (filter == EVFILT_READ ? kReadable : kWritable);
            struct kevent ev;
            if (want) {
                EV_SET(&ev, w->fd, filter, flags, 0, 0, w);
            } else {
                EV_SET(&ev, w->fd, filter, EV_DELETE, 0, 0, nullptr);
            }
            queue(ev);
        }
        w->interest = interest;
        return 0;
    }

    int remove(IoWatcher* w) override {
        // Closing the fd would drop its events anyway; the delete matters when it stays open.
        queue_delete(w->fd, w->interest);
        std::erase_if(stash_, [w](const PollEvent& e) { return e.watcher == w; });
        return 0;
    }

    int wait(int64_t timeout_ns, PollEvent* out, int max) override {
        int n = 0;
        while (n < max && !stash_.empty()) {
            out[n++] = stash_.front();
            stash_.erase(stash_.begin());
        }
        struct kevent evs[kBatch];
        int room = max - n < kBatch ? max - n : kBatch;
        // Every failed change needs a slot in the eventlist, or kevent fails instead.
        if (room < static_cast<int>(changes_.size())) apply_now(nullptr, 0);
        timespec ts{static_cast<time_t>(timeout_ns / 1000000000),
                    static_cast<long>(timeout_ns % 1000000000)};
        if (n > 0) ts = timespec{0, 0};  // events in hand: only collect what else is ready
        int nchanges = static_cast<int>(changes_.size());
        int got = kevent_(kq_, changes_.data(), nchanges, evs, room,
                          timeout_ns < 0 && n == 0 ? nullptr : &ts);
        // Applied, even when the call was interrupted (kqueue(2): EINTR comes after the
        // changes); after another failure they could not be retried sensibly either.
        changes_.clear();
        if (got < 0) return errno == EINTR ? n : (n > 0 ? n : -errno);
        for (int i = 0; i < got; ++i) {
            if (translate(evs[i], out[n])) ++n;
        }
        return n;
    }

    void wake() noexcept override {
#if CORIO_KQUEUE_USER_WAKEUP
        struct kevent ev;
        EV_SET(&ev, kWakeIdent, EVFILT_USER, 0, NOTE_TRIGGER, 0, wakeup_);
        while (kevent_(kq_, &ev, 1, nullptr, 0, nullptr) < 0 && errno == EINTR) {
        }
#else
        wake_fd_.signal();
#endif
    }

    size_t pending_changes() const noexcept { return changes_.size(); }

private:
    void queue(const struct kevent& ev) {
        if (changes_.size() >= kMaxPending) apply_now(nullptr, 0);
        changes_.push_back(ev);
    }

    void queue_delete(int fd, uint32_t interest) {
        struct kevent ev;
        if (interest & kReadable) {
            EV_SET(&ev, fd, EVFILT_READ, EV_DELETE, 0, 0, nullptr);
            queue(ev);
        }
        if (interest & kWritable) {
            EV_SET(&ev, fd, EVFILT_WRITE, EV_DELETE, 0, 0, nullptr);
            queue(ev);
        }
    }

    // Applies the queued changes and then extra[0..n) now, each with EV_RECEIPT; returns the
    // first errno among extra's entries (0: all went in). Failures of queued entries and any
    // event read on the way (a system without EV_RECEIPT) are kept for the next wait; queued
    // deletes come first in the list, so no event of a removed watcher can be among them.
    int apply_now(const struct kevent* extra, int n) {
        std::vector<struct kevent> list(changes_);
        changes_.clear();
        list.insert(list.end(), extra, extra + n);
        if (list.empty()) return 0;
        size_t first_extra = list.size() - n;
#if defined(EV_RECEIPT)
        for (struct kevent& ev : list) ev.flags |= EV_RECEIPT;
#endif
        std::vector<struct kevent> results(list.size());
        const timespec zero{0, 0};
        int count = static_cast<int>(list.size());
        int got;
        while ((got = kevent_(kq_, list.data(), count, results.data(), count, &zero)) < 0 &&
               errno == EINTR) {
        }
        if (got < 0) return errno;
        int err = 0;
        for (int i = 0; i < got; ++i) {
            const struct kevent& r = results[i];
            bool is_extra = false;
            for (size_t j = first_extra; j < list.size(); ++j) {
                is_extra |= r.ident == list[j].ident && r.filter == list[j].filter &&
                            r.udata == list[j].udata;
            }
            if ((r.flags & EV_ERROR) && is_extra) {
                if (r.data != 0 && err == 0) err = static_cast<int>(r.data);
                continue;
            }
            PollEvent e;
            if (translate(r, e)) stash_.push_back(e);
        }
        return err;
    }

    // One kernel event as the loop sees it; false when there is nothing to report (a receipt,
    // a failed delete).
    bool translate(const struct kevent& ev, PollEvent& out) {
        auto* w = static_cast<IoWatcher*>(ev.udata);
        if (ev.flags & EV_ERROR) {
            // A change that failed at the next wait (a modify): the watcher hears of it as an
            // error, so its waiters wake and meet it in their own syscall.
            if (ev.data == 0 || !w) return false;
            out = PollEvent{w, kError | kReadable | kWritable};
            return true;
        }
        if (w == wakeup_) {
#if !CORIO_KQUEUE_USER_WAKEUP
            wake_fd_.drain();
#endif
            out = PollEvent{w, kReadable};
            return true;
        }
        uint32_t events = ev.filter == EVFILT_WRITE ? kWritable : kReadable;
        // EV_EOF: the peer shut its side (read) or stopped reading (write); fflags then holds
        // the socket's pending error, if any.
        if (ev.flags & EV_EOF) events |= kHangup;
        if ((ev.flags & EV_EOF) && ev.fflags != 0) events |= kError | kReadable | kWritable;
        out = PollEvent{w, events};
        return true;
    }

    int kq_;
    KeventFn kevent_;
    IoWatcher* wakeup_;
    std::vector<struct kevent> changes_;
    std::vector<PollEvent> stash_;
#if !CORIO_KQUEUE_USER_WAKEUP
    WakeupFd wake_fd_;
#endif
};

}  // namespace corio::detail
