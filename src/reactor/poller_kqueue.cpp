// The kqueue(2) backend's kernel side: the queue and the kevent call (the logic is in
// poller_kqueue.hpp, where a test can reach it). Built on the BSDs and macOS; CI compiles it on
// Linux against tests/standin/sys/event.h (make check-portable) but cannot run it.
#include <fcntl.h>
#include <sys/types.h>
// sys/types.h first: some BSDs' sys/event.h uses its types without including it.
#include <sys/event.h>
#include <sys/time.h>

#include "poller_kqueue.hpp"

namespace corio::detail {

std::unique_ptr<Poller> make_kqueue_poller(IoWatcher* wakeup) {
    int kq = ::kqueue();
    if (kq < 0) throw std::system_error(errno, std::generic_category(), "kqueue");
    // kqueue descriptors are not inherited across fork; close-on-exec keeps them out of execs.
    ::fcntl(kq, F_SETFD, FD_CLOEXEC);
    return std::make_unique<KqueuePoller>(kq, &::kevent, wakeup);
}

}  // namespace corio::detail
