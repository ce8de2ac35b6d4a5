// The Poller contract (src/reactor/poller.hpp) checked against every backend this build has
// (epoll and poll on Linux; kqueue and poll on the BSDs): level and edge readiness, hangup,
// modify and remove, the timeout, bad descriptors and the cross-thread wake-up.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>
#include <vector>

#include "corio/loop.hpp"
#include "net/socket.hpp"
#include "reactor/poller.hpp"

using corio::PollerKind;
using corio::detail::IoWatcher;
using corio::detail::Poller;
using corio::detail::PollEvent;
namespace io = corio::detail;

namespace {

std::vector<PollerKind> built_backends() {
    std::vector<PollerKind> out;
    for (PollerKind k : {PollerKind::Epoll, PollerKind::Kqueue, PollerKind::Poll}) {
        if (io::poller_built(k)) out.push_back(k);
    }
    return out;
}

struct Backend {
    IoWatcher token;  // what wake-ups come back as
    std::unique_ptr<Poller> p;
    explicit Backend(PollerKind k) : p(io::make_poller(k, &token)) {}
    Poller* operator->() { return p.get(); }
};

void nonblocking(int fd) { REQUIRE(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == 0); }

// Two connected non-blocking descriptors, closed on scope exit unless closed before (-1).
struct FdPair {
    int fds[2] = {-1, -1};
    explicit FdPair(bool socket) {
        REQUIRE((socket ? socketpair(AF_UNIX, SOCK_STREAM, 0, fds) : pipe(fds)) == 0);
        nonblocking(fds[0]);
        nonblocking(fds[1]);
    }
    ~FdPair() {
        for (int fd : fds) {
            if (fd >= 0) close(fd);
        }
    }
    void close_end(int i) {
        close(fds[i]);
        fds[i] = -1;
    }
};
struct Pipe : FdPair {
    int& r = fds[0];
    int& w = fds[1];
    Pipe() : FdPair(false) {}
};
struct SocketPair : FdPair {
    int& a = fds[0];
    int& b = fds[1];
    SocketPair() : FdPair(true) {}
};

// Reads fd (through the library's wrapper, as streams do) until EAGAIN.
void drain(int fd) {
    char buf[256];
    while (io::sys_recv(fd, buf, sizeof buf) > 0) {
    }
}

}  // namespace

TEST_CASE("every backend the build has can be made, and names itself", "[poller]") {
    auto kinds = built_backends();
    REQUIRE(kinds.size() >= 2);  // the native one and poll
    for (PollerKind k : kinds) {
        Backend b(k);
        REQUIRE(std::string(b->name()) == io::poller_kind_name(k));
    }
}

TEST_CASE("a pipe's read end is reported readable once data is written", "[poller]") {
    auto kind = GENERATE(from_range(built_backends()));
    INFO(io::poller_kind_name(kind));
    Backend p(kind);
    Pipe pipe;
    IoWatcher w{pipe.r, 0, nullptr};
    REQUIRE(p->add(&w, io::kReadable) == 0);
    PollEvent ev[4];
    REQUIRE(p->wait(0, ev, 4) == 0);
    REQUIRE(write(pipe.w, "x", 1) == 1);
    REQUIRE(p->wait(1'000'000'000, ev, 4) == 1);
    REQUIRE(ev[0].watcher == &w);
    REQUIRE((ev[0].events & io::kReadable));
    // Level-triggered: still readable while the byte is unread.
    REQUIRE(p->wait(0, ev, 4) == 1);
    char c;
    REQUIRE(read(pipe.r, &c, 1) == 1);
    REQUIRE(p->wait(0, ev, 4) == 0);
}

TEST_CASE("edge interest reports readiness once, and again after the owner read it all",
          "[poller]") {
    auto kind = GENERATE(from_range(built_backends()));
    INFO(io::poller_kind_name(kind));
    Backend p(kind);
    SocketPair s;
    IoWatcher w{s.a, 0, nullptr};
    REQUIRE(p->add(&w, io::kReadable | io::kWritable | io::kEdge) == 0);
    PollEvent ev[4];
    REQUIRE(p->wait(0, ev, 4) == 1);  // writable from the start
    REQUIRE((ev[0].events & io::kWritable));
    REQUIRE(p->wait(0, ev, 4) == 0);  // and not again: nobody wrote

    REQUIRE(write(s.b, "x", 1) == 1);
    REQUIRE(p->wait(1'000'000'000, ev, 4) == 1);
    REQUIRE(ev[0].watcher == &w);
    REQUIRE((ev[0].events & io::kReadable));
    REQUIRE(p->wait(0, ev, 4) == 0);  // no new edge, although the byte is still there

    drain(s.a);  // the owner reads to EAGAIN, as a stream does before it parks
    REQUIRE(p->wait(0, ev, 4) == 0);
    REQUIRE(write(s.b, "y", 1) == 1);
    REQUIRE(p->wait(1'000'000'000, ev, 4) == 1);
    REQUIRE((ev[0].events & io::kReadable));
}

TEST_CASE("edge interest reports writability again after a send filled and the peer drained",
          "[poller]") {
    auto kind = GENERATE(from_range(built_backends()));
    INFO(io::poller_kind_name(kind));
    Backend p(kind);
    SocketPair s;
    IoWatcher w{s.a, 0, nullptr};
    REQUIRE(p->add(&w, io::kWritable | io::kEdge) == 0);
    PollEvent ev[4];
    REQUIRE(p->wait(0, ev, 4) == 1);
    std::string chunk(65536, 'x');
    while (io::sys_send(s.a, chunk.data(), chunk.size()) > 0) {
    }
    REQUIRE(p->wait(0, ev, 4) == 0);  // full: not writable
    drain(s.b);
    REQUIRE(p->wait(1'000'000'000, ev, 4) == 1);
    REQUIRE((ev[0].events & io::kWritable));
}

TEST_CASE("a closed peer is reported as hangup, and to an edge watcher only once", "[poller]") {
    auto kind = GENERATE(from_range(built_backends()));
    INFO(io::poller_kind_name(kind));
    Backend p(kind);
    Pipe pipe;
    IoWatcher rd{pipe.r, 0, nullptr};
    REQUIRE(p->add(&rd, io::kReadable) == 0);
    pipe.close_end(1);
    PollEvent ev[4];
    REQUIRE(p->wait(0, ev, 4) == 1);
    REQUIRE(ev[0].watcher == &rd);
    REQUIRE((ev[0].events & io::kHangup));

    // A hung-up socket that nobody reads must not wake every wait (poll reports POLLHUP
    // whatever was asked, so its edge emulation leaves such an fd out).
    SocketPair s;
    IoWatcher w{s.a, 0, nullptr};
    REQUIRE(p->add(&w, io::kReadable | io::kWritable | io::kEdge) == 0);
    REQUIRE(p->wait(0, ev, 4) >= 1);  // writable (and the pipe's level hangup)
    REQUIRE(p->remove(&rd) == 0);
    s.close_end(1);
    REQUIRE(p->wait(1'000'000'000, ev, 4) == 1);
    REQUIRE(ev[0].watcher == &w);
    REQUIRE((ev[0].events & (io::kHangup | io::kReadable)));
    REQUIRE(p->wait(0, ev, 4) == 0);
    REQUIRE(p->wait(0, ev, 4) == 0);
}

TEST_CASE("modify changes the interest and remove stops the reports", "[poller]") {
    auto kind = GENERATE(from_range(built_backends()));
    INFO(io::poller_kind_name(kind));
    Backend p(kind);
    Pipe pipe;
    IoWatcher w{pipe.w, 0, nullptr};
    REQUIRE(p->add(&w, io::kReadable) == 0);
    PollEvent ev[4];
    REQUIRE(p->wait(0, ev, 4) == 0);  // a write end never becomes readable
    REQUIRE(p->modify(&w, io::kWritable) == 0);
    REQUIRE(p->wait(0, ev, 4) == 1);
    REQUIRE(p->remove(&w) == 0);
    REQUIRE(p->wait(0, ev, 4) == 0);
    REQUIRE(p->add(&w, io::kWritable) == 0);  // and it can be added again at once
    REQUIRE(p->wait(0, ev, 4) == 1);
    REQUIRE(p->remove(&w) == 0);
    REQUIRE(p->remove(&w) == 0);  // a second remove is not an error
}

TEST_CASE("removing a watcher whose fd was already closed is not an error", "[poller]") {
    auto kind = GENERATE(from_range(built_backends()));
    INFO(io::poller_kind_name(kind));
    Backend p(kind);
    auto* pipe = new Pipe;
    IoWatcher w{pipe->r, 0, nullptr};
    REQUIRE(p->add(&w, io::kReadable | io::kEdge) == 0);
    delete pipe;  // closes both ends
    REQUIRE(p->remove(&w) == 0);
    PollEvent ev[4];
    REQUIRE(p->wait(0, ev, 4) == 0);
}

TEST_CASE("wait returns after its timeout when nothing is ready", "[poller]") {
    auto kind = GENERATE(from_range(built_backends()));
    INFO(io::poller_kind_name(kind));
    Backend p(kind);
    PollEvent ev[4];
    auto t0 = std::chrono::steady_clock::now();
    REQUIRE(p->wait(20'000'000, ev, 4) == 0);
    auto waited = std::chrono::steady_clock::now() - t0;
    REQUIRE(waited >= std::chrono::milliseconds(19));
    REQUIRE(waited < std::chrono::seconds(5));
}

TEST_CASE("adding a bad descriptor returns -errno", "[poller]") {
    auto kind = GENERATE(from_range(built_backends()));
    INFO(io::poller_kind_name(kind));
    Backend p(kind);
    IoWatcher w{-1, 0, nullptr};
    REQUIRE(p->add(&w, io::kReadable) < 0);
    int fd;
    {
        Pipe closed;
        fd = closed.r;
    }
    IoWatcher gone{fd, 0, nullptr};
    REQUIRE(p->add(&gone, io::kReadable) < 0);
}

TEST_CASE("wake from another thread ends a blocked wait, once, with the wake-up token",
          "[poller]") {
    auto kind = GENERATE(from_range(built_backends()));
    INFO(io::poller_kind_name(kind));
    Backend p(kind);
    std::thread other([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        p->wake();
    });
    PollEvent ev[4];
    int n = p->wait(10'000'000'000, ev, 4);
    other.join();
    REQUIRE(n == 1);
    REQUIRE(ev[0].watcher == &p.token);
    REQUIRE((ev[0].events & io::kReadable));
    REQUIRE(p->wait(0, ev, 4) == 0);  // consumed
    p->wake();
    p->wake();
    REQUIRE(p->wait(0, ev, 4) == 1);  // two wake-ups before a wait come back as one
    REQUIRE(p->wait(0, ev, 4) == 0);
}
