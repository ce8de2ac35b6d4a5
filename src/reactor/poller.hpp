// Readiness notification over the kernel's facility: one small interface, one file per backend
// (poller_epoll.cpp, poller_kqueue.cpp, poller_poll.cpp). The build compiles the system's native
// backend and poll(2); each loop picks one when it is made (LoopOptions::poller, CORIO_POLLER),
// so a call costs one virtual dispatch. Layer 1: depends on nothing in corio but the portable
// event bits.
#pragma once

#include <cstdint>
#include <memory>

#include "corio/detail/io_watcher.hpp"

namespace corio {
enum class PollerKind : unsigned char;  // corio/loop.hpp
}

namespace corio::detail {

struct PollEvent {
    IoWatcher* watcher;
    uint32_t events;  // IoEvents readiness bits
};

// Contract every backend keeps (tests/test_poller.cpp runs it against each one built):
//  - level interest reports a direction on every wait while it holds;
//  - kEdge interest reports a direction once, then again only after new readiness that follows
//    the owner's next operation on that direction (epoll and kqueue have real edges; poll
//    emulates them, see edge_emulation.hpp);
//  - kError and kHangup come with both kReadable and kWritable, so any waiter wakes and finds
//    the error through its own syscall;
//  - after wake() (any thread), the running or next wait returns {wakeup, kReadable} once.
class Poller {
public:
    virtual ~Poller() = default;
    Poller(const Poller&) = delete;
    Poller& operator=(const Poller&) = delete;

    virtual const char* name() const noexcept = 0;  // "epoll", "kqueue", "poll"

    // Each returns 0 or -errno. The watcher pointer comes back in events until removed;
    // removing a watcher that is not registered (or whose fd is closed) is not an error.
    virtual int add(IoWatcher* w, uint32_t interest) = 0;
    virtual int modify(IoWatcher* w, uint32_t interest) = 0;
    virtual int remove(IoWatcher* w) = 0;

    // Waits at most timeout_ns (< 0: no limit, 0: do not block) and fills up to max events.
    // Returns the count (0 on timeout or EINTR) or -errno.
    virtual int wait(int64_t timeout_ns, PollEvent* out, int max) = 0;

    // Makes the running or next wait return; any thread.
    virtual void wake() noexcept = 0;

protected:
    Poller() = default;
};

// The backend `kind` names; Default means the CORIO_POLLER environment variable when it is set
// and not empty, else the build's first choice. wakeup is the token wake-ups come back with.
// Throws corio::Error for an unknown name or a backend this build lacks, std::system_error when
// the kernel object cannot be made.
std::unique_ptr<Poller> make_poller(PollerKind kind, IoWatcher* wakeup);

// The backends' constructors (each in its own file; only those built are defined).
std::unique_ptr<Poller> make_epoll_poller(IoWatcher* wakeup);
std::unique_ptr<Poller> make_kqueue_poller(IoWatcher* wakeup);
std::unique_ptr<Poller> make_poll_poller(IoWatcher* wakeup);

// Whether this build has the backend (Default: always).
bool poller_built(PollerKind kind) noexcept;
const char* poller_kind_name(PollerKind kind) noexcept;

}  // namespace corio::detail
