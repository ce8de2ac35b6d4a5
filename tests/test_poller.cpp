// The poller backend through its small interface: readiness of a pipe, edge versus level
// triggering, modify and remove, and the timeout.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>

#include "reactor/poller.hpp"

using corio::detail::IoWatcher;
using corio::detail::Poller;
using corio::detail::PollEvent;
namespace io = corio::detail;

namespace {

struct Pipe {
    int r = -1, w = -1;
    Pipe() {
        int fds[2];
        REQUIRE(pipe2(fds, O_NONBLOCK | O_CLOEXEC) == 0);
        r = fds[0];
        w = fds[1];
    }
    ~Pipe() {
        if (r >= 0) close(r);
        if (w >= 0) close(w);
    }
};

}  // namespace

TEST_CASE("a pipe's read end is reported readable once data is written", "[poller]") {
    Poller p;
    Pipe pipe;
    IoWatcher w{pipe.r, 0, nullptr};
    REQUIRE(p.add(&w, io::kReadable) == 0);
    PollEvent ev[4];
    REQUIRE(p.wait(0, ev, 4) == 0);
    REQUIRE(write(pipe.w, "x", 1) == 1);
    REQUIRE(p.wait(1'000'000'000, ev, 4) == 1);
    REQUIRE(ev[0].watcher == &w);
    REQUIRE((ev[0].events & io::kReadable));
    // Level-triggered: still readable while the byte is unread.
    REQUIRE(p.wait(0, ev, 4) == 1);
    char c;
    REQUIRE(read(pipe.r, &c, 1) == 1);
    REQUIRE(p.wait(0, ev, 4) == 0);
}

TEST_CASE("edge-triggered interest reports a transition once", "[poller]") {
    Poller p;
    Pipe pipe;
    IoWatcher w{pipe.r, 0, nullptr};
    REQUIRE(p.add(&w, io::kReadable | io::kEdge) == 0);
    REQUIRE(write(pipe.w, "x", 1) == 1);
    PollEvent ev[4];
    REQUIRE(p.wait(0, ev, 4) == 1);
    REQUIRE(p.wait(0, ev, 4) == 0);  // no new edge, although the byte is still there
    REQUIRE(write(pipe.w, "y", 1) == 1);
    REQUIRE(p.wait(0, ev, 4) == 1);
}

TEST_CASE("a write end is writable, and a closed peer is reported as hangup", "[poller]") {
    Poller p;
    Pipe pipe;
    IoWatcher wr{pipe.w, 0, nullptr};
    IoWatcher rd{pipe.r, 0, nullptr};
    REQUIRE(p.add(&wr, io::kWritable) == 0);
    PollEvent ev[4];
    REQUIRE(p.wait(0, ev, 4) == 1);
    REQUIRE((ev[0].events & io::kWritable));
    REQUIRE(p.remove(&wr) == 0);
    REQUIRE(p.add(&rd, io::kReadable) == 0);
    close(pipe.w);
    pipe.w = -1;
    REQUIRE(p.wait(0, ev, 4) == 1);
    REQUIRE(ev[0].watcher == &rd);
    REQUIRE((ev[0].events & io::kHangup));
}

TEST_CASE("modify changes the interest and remove stops the reports", "[poller]") {
    Poller p;
    Pipe pipe;
    IoWatcher w{pipe.w, 0, nullptr};
    REQUIRE(p.add(&w, io::kReadable) == 0);
    PollEvent ev[4];
    REQUIRE(p.wait(0, ev, 4) == 0);  // a write end never becomes readable
    REQUIRE(p.modify(&w, io::kWritable) == 0);
    REQUIRE(p.wait(0, ev, 4) == 1);
    REQUIRE(p.remove(&w) == 0);
    REQUIRE(p.wait(0, ev, 4) == 0);
    REQUIRE(p.add(&w, io::kWritable) == 0);  // and it can be added again at once
    REQUIRE(p.wait(0, ev, 4) == 1);
}

TEST_CASE("wait returns after its timeout when nothing is ready", "[poller]") {
    Poller p;
    PollEvent ev[4];
    auto t0 = std::chrono::steady_clock::now();
    REQUIRE(p.wait(20'000'000, ev, 4) == 0);
    auto waited = std::chrono::steady_clock::now() - t0;
    REQUIRE(waited >= std::chrono::milliseconds(19));
    REQUIRE(waited < std::chrono::seconds(5));
}

TEST_CASE("adding a bad descriptor returns -errno", "[poller]") {
    Poller p;
    IoWatcher w{-1, 0, nullptr};
    REQUIRE(p.add(&w, io::kReadable) < 0);
}
