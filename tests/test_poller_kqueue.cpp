// The kqueue backend's change-list logic driven through a fake kevent, so it is tested on Linux,
// where no kqueue exists: what goes to the kernel in which call and order, and how the kernel's
// answers (receipts, EV_ERROR, EV_EOF, EVFILT_USER) come back as events. Compiled against
// tests/standin/sys/event.h (declarations only, NOT a real kqueue) where the system has no
// <sys/event.h>. What only a BSD kernel can show (real readiness) is not tested here.
#include <fcntl.h>
#include <unistd.h>

#if __has_include(<sys/event.h>)
#include <sys/event.h>
#else
#include "standin/sys/event.h"
#endif

#include <catch2/catch.hpp>
#include <cerrno>
#include <map>
#include <utility>
#include <vector>

#include "reactor/poller_kqueue.hpp"

using corio::detail::IoWatcher;
using corio::detail::KqueuePoller;
using corio::detail::PollEvent;
namespace io = corio::detail;

namespace {

using Key = std::pair<uintptr_t, short>;  // (ident, filter): one kernel event

// A kqueue in user space, as far as the manual describes it: changes applied in order before
// events are read; a failure or EV_RECEIPT answered with an EV_ERROR entry while the eventlist
// has room (else the call fails); EV_ADD on an existing event updates it.
struct FakeKernel {
    struct Call {
        std::vector<struct kevent> changes;
        int nevents;
        bool has_timeout;
        timespec timeout;
    };
    std::vector<Call> calls;
    std::map<Key, struct kevent> registered;
    std::map<Key, int> refuse;         // an EV_ADD of this key fails with this errno
    std::vector<struct kevent> ready;  // what the next call with room reads
    bool user_triggered = false;
    int fail_with = 0;  // the next call fails after applying its changes

    int kevent(const struct kevent* ch, int nch, struct kevent* ev, int nev, const timespec* ts) {
        calls.push_back(
            {std::vector<struct kevent>(ch, ch + nch), nev, ts != nullptr, ts ? *ts : timespec{}});
        int out = 0;
        for (int i = 0; i < nch; ++i) {
            struct kevent c = ch[i];
            Key key{c.ident, c.filter};
            int err = 0;
            if (c.filter == EVFILT_USER && (c.fflags & NOTE_TRIGGER)) {
                user_triggered = true;
            } else if (c.flags & EV_ADD) {
                auto r = refuse.find(key);
                if (r != refuse.end()) {
                    err = r->second;
                } else {
                    registered[key] = c;
                }
            } else if (c.flags & EV_DELETE) {
                if (registered.erase(key) == 0) err = ENOENT;
            }
            if (err != 0 || (c.flags & EV_RECEIPT)) {
                if (out == nev) {
                    errno = err;
                    return -1;
                }
                ev[out] = c;
                ev[out].flags = EV_ERROR;
                ev[out].data = err;
                ++out;
            }
        }
        if (fail_with != 0) {
            errno = fail_with;
            fail_with = 0;
            return -1;
        }
        while (out < nev && !ready.empty()) {
            ev[out++] = ready.front();
            ready.erase(ready.begin());
        }
        if (out < nev && user_triggered) {
            for (auto& [key, reg] : registered) {
                if (key.second == EVFILT_USER) {
                    ev[out] = reg;
                    ev[out].flags = EV_CLEAR;
                    ++out;
                    user_triggered = false;
                    break;
                }
            }
        }
        return out;
    }
};

FakeKernel* g_kernel = nullptr;

int fake_kevent(int, const struct kevent* ch, int nch, struct kevent* ev, int nev,
                const struct timespec* ts) {
    return g_kernel->kevent(ch, nch, ev, nev, ts);
}

struct Fixture {
    FakeKernel kernel;
    IoWatcher token;
    std::unique_ptr<KqueuePoller> p;
    Fixture() {
        g_kernel = &kernel;
        int kq = open("/dev/null", O_RDONLY | O_CLOEXEC);  // closed by the poller, never used
        REQUIRE(kq >= 0);
        p = std::make_unique<KqueuePoller>(kq, &fake_kevent, &token);
    }
    ~Fixture() {
        p.reset();
        g_kernel = nullptr;
    }
    bool has(uintptr_t fd, short filter) const { return kernel.registered.count({fd, filter}); }
};

struct kevent event(uintptr_t fd, short filter, unsigned short flags, unsigned fflags,
                    void* udata) {
    struct kevent ev;
    EV_SET(&ev, fd, filter, flags, fflags, 0, udata);
    return ev;
}

}  // namespace

TEST_CASE("the kqueue backend registers its EVFILT_USER wake-up when made", "[poller][kqueue]") {
    Fixture f;
    REQUIRE(f.kernel.calls.size() == 1);
    const struct kevent& c = f.kernel.calls[0].changes.at(0);
    REQUIRE(c.filter == EVFILT_USER);
    REQUIRE((c.flags & EV_ADD));
    REQUIRE((c.flags & EV_CLEAR));  // one wake-up per trigger, not a level
    REQUIRE(c.udata == &f.token);
}

TEST_CASE("an add goes to the kernel at once, edge interest as EV_CLEAR, the watcher as udata",
          "[poller][kqueue]") {
    Fixture f;
    IoWatcher w{7, 0, nullptr};
    REQUIRE(f.p->add(&w, io::kReadable | io::kWritable | io::kEdge) == 0);
    REQUIRE(f.kernel.calls.size() == 2);
    const auto& call = f.kernel.calls[1];
    REQUIRE(call.changes.size() == 2);
    REQUIRE(call.nevents >= 2);  // room for a receipt per change: nothing else is drained
    for (const struct kevent& c : call.changes) {
        REQUIRE(c.ident == 7);
        REQUIRE((c.flags & (EV_ADD | EV_CLEAR | EV_RECEIPT)) == (EV_ADD | EV_CLEAR | EV_RECEIPT));
        REQUIRE(c.udata == &w);
    }
    REQUIRE(f.has(7, EVFILT_READ));
    REQUIRE(f.has(7, EVFILT_WRITE));

    IoWatcher level{8, 0, nullptr};
    REQUIRE(f.p->add(&level, io::kReadable) == 0);
    REQUIRE(f.kernel.calls.back().changes.size() == 1);
    REQUIRE_FALSE((f.kernel.calls.back().changes[0].flags & EV_CLEAR));
}

TEST_CASE("a refused add returns -errno and takes back the half that went in", "[poller][kqueue]") {
    Fixture f;
    f.kernel.refuse[{8, EVFILT_WRITE}] = EBADF;
    IoWatcher w{8, 0, nullptr};
    REQUIRE(f.p->add(&w, io::kReadable | io::kWritable) == -EBADF);
    REQUIRE(f.has(8, EVFILT_READ));  // until the queued delete reaches the kernel
    PollEvent ev[8];
    REQUIRE(f.p->wait(0, ev, 8) == 0);  // the delete of the write half fails: not reported
    REQUIRE_FALSE(f.has(8, EVFILT_READ));
}

TEST_CASE(
    "removals are batched into the next wait, ahead of its events, and never name the "
    "watcher",
    "[poller][kqueue]") {
    Fixture f;
    IoWatcher w{7, 0, nullptr};
    REQUIRE(f.p->add(&w, io::kReadable | io::kWritable | io::kEdge) == 0);
    size_t calls = f.kernel.calls.size();
    REQUIRE(f.p->remove(&w) == 0);
    REQUIRE(f.kernel.calls.size() == calls);  // no syscall of its own
    REQUIRE(f.p->pending_changes() == 2);
    PollEvent ev[8];
    REQUIRE(f.p->wait(0, ev, 8) == 0);
    const auto& call = f.kernel.calls.back();
    REQUIRE(call.changes.size() == 2);
    for (const struct kevent& c : call.changes) {
        REQUIRE(c.flags == EV_DELETE);
        REQUIRE(c.udata == nullptr);  // a failure report can never point at a freed watcher
    }
    REQUIRE(f.kernel.registered.size() == 1);  // the wake-up only
    REQUIRE(f.p->pending_changes() == 0);
}

TEST_CASE("a delete the kernel refuses (the fd was closed first) is not reported",
          "[poller][kqueue]") {
    Fixture f;
    IoWatcher w{9, io::kReadable, nullptr};
    REQUIRE(f.p->remove(&w) == 0);  // never added: the kernel answers ENOENT
    PollEvent ev[8];
    REQUIRE(f.p->wait(0, ev, 8) == 0);
    REQUIRE(f.kernel.calls.back().changes.size() == 1);
}

TEST_CASE("remove then add of the same fd reaches the kernel in that order", "[poller][kqueue]") {
    Fixture f;
    IoWatcher old_w{9, 0, nullptr};
    IoWatcher new_w{9, 0, nullptr};
    REQUIRE(f.p->add(&old_w, io::kReadable | io::kWritable | io::kEdge) == 0);
    REQUIRE(f.p->remove(&old_w) == 0);
    REQUIRE(f.p->add(&new_w, io::kReadable | io::kEdge) == 0);
    const auto& call = f.kernel.calls.back();
    REQUIRE(call.changes.size() == 3);
    REQUIRE((call.changes[0].flags & EV_DELETE));
    REQUIRE((call.changes[1].flags & EV_DELETE));
    REQUIRE((call.changes[2].flags & EV_ADD));
    REQUIRE(f.kernel.registered.at({9, EVFILT_READ}).udata == &new_w);
    REQUIRE_FALSE(f.has(9, EVFILT_WRITE));
}

TEST_CASE("kernel events become readiness: EV_EOF a hangup, its fflags an error",
          "[poller][kqueue]") {
    Fixture f;
    IoWatcher w{7, 0, nullptr};
    REQUIRE(f.p->add(&w, io::kReadable | io::kWritable | io::kEdge) == 0);
    f.kernel.ready.push_back(event(7, EVFILT_READ, EV_CLEAR, 0, &w));
    f.kernel.ready.push_back(event(7, EVFILT_READ, EV_EOF, 0, &w));
    f.kernel.ready.push_back(event(7, EVFILT_WRITE, EV_EOF, ECONNRESET, &w));
    PollEvent ev[8];
    REQUIRE(f.p->wait(0, ev, 8) == 3);
    REQUIRE(ev[0].watcher == &w);
    REQUIRE(ev[0].events == io::kReadable);
    REQUIRE(ev[1].events == (io::kReadable | io::kHangup));
    REQUIRE(ev[2].events == (io::kReadable | io::kWritable | io::kHangup | io::kError));
}

TEST_CASE("a modify the kernel refuses at the next wait wakes its watcher with an error",
          "[poller][kqueue]") {
    Fixture f;
    IoWatcher w{7, 0, nullptr};
    REQUIRE(f.p->add(&w, io::kReadable | io::kWritable) == 0);
    f.kernel.refuse[{7, EVFILT_READ}] = ENOMEM;
    size_t calls = f.kernel.calls.size();
    REQUIRE(f.p->modify(&w, io::kReadable | io::kEdge) == 0);  // queued: fails later
    REQUIRE(f.kernel.calls.size() == calls);
    PollEvent ev[8];
    REQUIRE(f.p->wait(0, ev, 8) == 1);
    REQUIRE(ev[0].watcher == &w);
    REQUIRE(ev[0].events == (io::kError | io::kReadable | io::kWritable));
    REQUIRE_FALSE(f.has(7, EVFILT_WRITE));  // the other half of the modify went in
}

TEST_CASE("wait hands kevent its timeout in nanoseconds", "[poller][kqueue]") {
    Fixture f;
    PollEvent ev[8];
    f.p->wait(1'500'000'123, ev, 8);
    REQUIRE(f.kernel.calls.back().has_timeout);
    REQUIRE(f.kernel.calls.back().timeout.tv_sec == 1);
    REQUIRE(f.kernel.calls.back().timeout.tv_nsec == 500'000'123);
    f.p->wait(0, ev, 8);
    REQUIRE(f.kernel.calls.back().timeout.tv_sec == 0);
    REQUIRE(f.kernel.calls.back().timeout.tv_nsec == 0);
    f.p->wait(-1, ev, 8);
    REQUIRE_FALSE(f.kernel.calls.back().has_timeout);  // no limit
}

TEST_CASE("wake triggers the EVFILT_USER event, which comes back as the wake-up token",
          "[poller][kqueue]") {
    Fixture f;
    f.p->wake();
    const struct kevent& c = f.kernel.calls.back().changes.at(0);
    REQUIRE(c.filter == EVFILT_USER);
    REQUIRE((c.fflags & NOTE_TRIGGER));
    REQUIRE(f.kernel.calls.back().nevents == 0);  // from any thread: reads nothing
    PollEvent ev[8];
    REQUIRE(f.p->wait(-1, ev, 8) == 1);
    REQUIRE(ev[0].watcher == &f.token);
    REQUIRE(ev[0].events == io::kReadable);
}

TEST_CASE("a long run of changes never outgrows the room kevent has to report failures",
          "[poller][kqueue]") {
    Fixture f;
    std::vector<IoWatcher> ws(150);
    for (size_t i = 0; i < ws.size(); ++i) {
        ws[i].fd = static_cast<int>(100 + i);
        REQUIRE(f.p->add(&ws[i], io::kReadable | io::kWritable | io::kEdge) == 0);
    }
    for (auto& w : ws) REQUIRE(f.p->remove(&w) == 0);
    REQUIRE(f.p->pending_changes() <= KqueuePoller::kMaxPending);
    PollEvent ev[4];
    REQUIRE(f.p->wait(0, ev, 4) == 0);  // a small eventlist: the queue is flushed first
    for (const auto& call : f.kernel.calls) {
        if (call.changes.size() == 1 && call.changes[0].filter == EVFILT_USER) continue;
        REQUIRE(call.changes.size() <= static_cast<size_t>(call.nevents));
    }
    REQUIRE(f.kernel.registered.size() == 1);  // every fd gone; the wake-up stays
}

TEST_CASE("an interrupted wait does not send its changes again", "[poller][kqueue]") {
    Fixture f;
    IoWatcher w{7, 0, nullptr};
    REQUIRE(f.p->add(&w, io::kReadable) == 0);
    REQUIRE(f.p->remove(&w) == 0);
    f.kernel.fail_with = EINTR;
    PollEvent ev[8];
    REQUIRE(f.p->wait(0, ev, 8) == 0);  // EINTR: no events, not an error
    REQUIRE(f.p->wait(0, ev, 8) == 0);
    REQUIRE(f.kernel.calls.back().changes.empty());
}
