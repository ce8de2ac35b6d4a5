// Helpers for the networking tests: child processes (real peers: python3, nc, curl), blocking
// raw sockets that play a misbehaving peer, descriptor limits and counts, CPU time.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "corio/corio.hpp"

namespace corio_test {

// Whether awaiting c throws E. With g++ 12, a co_await that really suspends inside Catch's
// REQUIRE(...) never resumes correctly: await first, then REQUIRE on the result.
template <class E, class Awaitable>
corio::Coro<bool> throws_as(Awaitable c) {
    bool thrown = false;
    try {
        co_await std::move(c);
    } catch (const E&) {
        thrown = true;
    }
    co_return thrown;
}

// Echoes every byte back until the peer ends its stream.
corio::Coro<void> echo(corio::Stream s);

// Two ends of one loopback TCP connection made by corio: first the client's, then the
// server's (accepted by a server that is closed again before this returns).
corio::Coro<std::pair<corio::Stream, corio::Stream>> connected_pair(
    corio::StreamOptions options = {});

// A program started with its stdout (and optionally stdin) on pipes; killed and reaped by the
// destructor if still running.
class Child {
public:
    Child(const std::vector<std::string>& argv, const std::string& stdin_data = {},
          bool feed_stdin = false);
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    ~Child();

    // One line of the child's stdout without its newline; empty on timeout or end.
    std::string read_line(std::chrono::milliseconds timeout);
    // The rest of stdout until the child closes it (or the timeout passes).
    std::string read_all(std::chrono::milliseconds timeout);
    // Exit status (as from WEXITSTATUS, or 128+signal); -1 if still running at the timeout.
    int wait(std::chrono::milliseconds timeout);
    pid_t pid() const { return pid_; }

private:
    pid_t pid_ = -1;
    int out_ = -1;
    std::string pending_;
};

// Path of a program on PATH (or "" when missing); python3 prefers Debian's /usr/bin/python3.
std::string find_program(const std::string& name);

// A blocking IPv4 loopback listening socket on a free port (written to port).
int raw_listen(uint16_t& port, int backlog);
// A listener whose accept queue is full, so further connects to it stay mid-handshake (their
// SYNs are dropped): for connect timeouts and cancelled connects. Closes both on destruction.
struct StalledListener {
    StalledListener();
    ~StalledListener();
    uint16_t port = 0;
    int listen_fd = -1;
    int filler_fd = -1;
};
// Blocking IPv4 loopback client socket connected to port; aborts the test binary on failure.
int raw_connect(uint16_t port);
// Sends all of data (blocking); false on error.
bool raw_send_all(int fd, const std::string& data);
// Receives exactly n bytes (blocking, with a receive timeout); what arrived.
std::string raw_recv_exactly(int fd, size_t n, std::chrono::milliseconds timeout);
// Closes with an RST instead of a FIN (SO_LINGER 0).
void raw_reset(int fd);

size_t count_open_fds();
double process_cpu_seconds();
long rss_kib();

// Sets the soft RLIMIT_NOFILE for the scope (clamped to the hard limit) and restores it.
class FdLimit {
public:
    explicit FdLimit(uint64_t soft);
    FdLimit(const FdLimit&) = delete;
    FdLimit& operator=(const FdLimit&) = delete;
    ~FdLimit();
    uint64_t soft() const { return now_; }

private:
    uint64_t saved_;
    uint64_t now_;
};

// An FNV-1a style hash, to compare large transfers at both ends. Not chunking-invariant:
// feed it the same pieces on both sides, or the whole.
uint64_t fnv1a(const std::string& data, uint64_t h = 1469598103934665603ull);

}  // namespace corio_test
