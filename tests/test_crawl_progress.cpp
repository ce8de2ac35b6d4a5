// crawl's progress line: drawn on stderr when stderr is a terminal (a pseudo-terminal here),
// at most ten times a second, cleared before the summary; -q silences it and the summary.
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "corio/corio.hpp"
#include "crawl_support.hpp"

using namespace crawl_test;
using namespace std::chrono_literals;
namespace http = corio::http;

namespace {

corio::Coro<http::Response> slow_ok() {
    co_await corio::sleep(200ms);
    co_return http::Response::text(200, "ok");
}

// Runs crawl with stderr on a pseudo-terminal (stdout to /dev/null); returns what the
// terminal received and the exit status.
std::pair<std::string, int> run_on_terminal(const std::vector<std::string>& args) {
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    REQUIRE(master >= 0);
    REQUIRE(grantpt(master) == 0);
    REQUIRE(unlockpt(master) == 0);
    std::string slave = ptsname(master);
    std::vector<std::string> argv{crawl_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargs;
    for (auto& a : argv) cargs.push_back(a.data());
    cargs.push_back(nullptr);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        int tty = open(slave.c_str(), O_RDWR);
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(null, 1);
        dup2(tty, 2);
        execv(cargs[0], cargs.data());
        _exit(127);
    }
    std::string got;
    int status = -1;
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd p{master, POLLIN, 0};
        if (poll(&p, 1, 20) > 0) {
            char buf[4096];
            ssize_t n = read(master, buf, sizeof buf);
            if (n > 0) got.append(buf, static_cast<size_t>(n));
        }
        int st = 0;
        if (status < 0 && waitpid(pid, &st, WNOHANG) == pid) {
            status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        }
        if (status >= 0 && poll(&p, 1, 0) <= 0) break;
    }
    if (status < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
    }
    close(master);
    return {got, status};
}

size_t count(const std::string& s, const std::string& what) {
    size_t n = 0;
    for (size_t i = s.find(what); i != std::string::npos; i = s.find(what, i + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("crawl draws a progress line on a terminal, at most ten times a second",
          "[crawl][progress]") {
    TestServer server([](http::Request&) { return slow_ok(); });
    auto start = std::chrono::steady_clock::now();
    auto [tty, status] = run_on_terminal(
        {"-c", "1", server.url("/a"), server.url("/b"), server.url("/c"), server.url("/d")});
    auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    INFO(tty);
    REQUIRE(status == 0);
    size_t draws = count(tty, " done, ");
    REQUIRE(draws >= 2);
    REQUIRE(draws <= static_cast<size_t>(took * 10) + 2);
    REQUIRE(tty.find("queued") != std::string::npos);
    REQUIRE(tty.find("\r\x1b[K") != std::string::npos);  // cleared before the summary
    REQUIRE(tty.find("4 URLs, 4 requests, 4 ok") != std::string::npos);  // the summary
}

TEST_CASE("crawl -q writes nothing on the terminal", "[crawl][progress]") {
    TestServer server([](http::Request&) { return slow_ok(); });
    auto [tty, status] = run_on_terminal({"-q", server.url("/a"), server.url("/b")});
    REQUIRE(status == 0);
    REQUIRE(tty.empty());
}
