// Choosing a loop's poller backend: the build says which backends exist and which is first
// (CORIO_POLLER_DEFAULT=1 epoll, 2 kqueue, 3 poll; CORIO_POLLER_HAS_<NAME>), a loop asks for one
// (LoopOptions::poller) or leaves it to the CORIO_POLLER environment variable. Layer 1.
#include "poller.hpp"

#include <cstdlib>
#include <cstring>
#include <string>

#include "corio/error.hpp"
#include "corio/loop.hpp"

// A build that does not say (a third build system): what the headers show, as make would pick.
#if !defined(CORIO_POLLER_DEFAULT)
#if __has_include(<sys/epoll.h>)
#define CORIO_POLLER_DEFAULT 1
#define CORIO_POLLER_HAS_EPOLL 1
#elif __has_include(<sys/event.h>)
#define CORIO_POLLER_DEFAULT 2
#define CORIO_POLLER_HAS_KQUEUE 1
#else
#define CORIO_POLLER_DEFAULT 3
#endif
#define CORIO_POLLER_HAS_POLL 1
#endif

namespace corio::detail {

namespace {

PollerKind build_default() noexcept {
    switch (CORIO_POLLER_DEFAULT) {
        case 1:
            return PollerKind::Epoll;
        case 2:
            return PollerKind::Kqueue;
        default:
            return PollerKind::Poll;
    }
}

std::string built_list() {
    std::string out;
    for (PollerKind k : {PollerKind::Epoll, PollerKind::Kqueue, PollerKind::Poll}) {
        if (!poller_built(k)) continue;
        if (!out.empty()) out += ", ";
        out += poller_kind_name(k);
    }
    return out;
}

PollerKind from_environment() {
    const char* v = std::getenv("CORIO_POLLER");
    if (!v || !*v || std::strcmp(v, "auto") == 0) return build_default();
    for (PollerKind k : {PollerKind::Epoll, PollerKind::Kqueue, PollerKind::Poll}) {
        if (std::strcmp(v, poller_kind_name(k)) == 0) return k;
    }
    throw Error(std::string("CORIO_POLLER=") + v + ": not a poller backend (this build has " +
                built_list() + ")");
}

}  // namespace

const char* poller_kind_name(PollerKind kind) noexcept {
    switch (kind) {
        case PollerKind::Epoll:
            return "epoll";
        case PollerKind::Kqueue:
            return "kqueue";
        case PollerKind::Poll:
            return "poll";
        default:
            return "default";
    }
}

bool poller_built(PollerKind kind) noexcept {
    switch (kind) {
        case PollerKind::Epoll:
#if defined(CORIO_POLLER_HAS_EPOLL)
            return true;
#else
            return false;
#endif
        case PollerKind::Kqueue:
#if defined(CORIO_POLLER_HAS_KQUEUE)
            return true;
#else
            return false;
#endif
        case PollerKind::Poll:
#if defined(CORIO_POLLER_HAS_POLL)
            return true;
#else
            return false;
#endif
        default:
            return true;
    }
}

std::unique_ptr<Poller> make_poller(PollerKind kind, IoWatcher* wakeup) {
    if (kind == PollerKind::Default) kind = from_environment();
    switch (kind) {
#if defined(CORIO_POLLER_HAS_EPOLL)
        case PollerKind::Epoll:
            return make_epoll_poller(wakeup);
#endif
#if defined(CORIO_POLLER_HAS_KQUEUE)
        case PollerKind::Kqueue:
            return make_kqueue_poller(wakeup);
#endif
#if defined(CORIO_POLLER_HAS_POLL)
        case PollerKind::Poll:
            return make_poll_poller(wakeup);
#endif
        default:
            throw Error(std::string("the ") + poller_kind_name(kind) +
                        " poller is not built into this corio (it has " + built_list() + ")");
    }
}

}  // namespace corio::detail
