// Child processes for the demo: fork + exec with a pipe on stdout (or stderr), wait4 for the
// peak RSS, a deadline so nothing the demo starts can outlive it.
#include "child.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>

namespace demo {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

int exec_child(const std::vector<std::string>& argv, int out_fd, int out_target, bool quiet_err) {
    pid_t pid = fork();
    if (pid != 0) return pid;
    dup2(out_fd, out_target);
    if (quiet_err) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 2);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    std::fprintf(stderr, "demo: cannot run %s\n", args[0]);
    _exit(127);
}

int status_code(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

}  // namespace

Measured run_measured(const std::vector<std::string>& argv, double timeout_s, bool show_stderr) {
    Measured m;
    if (access(argv[0].c_str(), X_OK) != 0) return m;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return m;
    auto t0 = Clock::now();
    pid_t pid = exec_child(argv, fds[1], 1, !show_stderr);
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        return m;
    }
    m.started = true;
    char buf[4096];
    for (;;) {
        double left = timeout_s - since(t0);
        if (left <= 0) {
            kill(pid, SIGKILL);
            break;
        }
        pollfd p{fds[0], POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left * 1000) + 1) <= 0) continue;
        ssize_t n = read(fds[0], buf, sizeof buf);
        if (n <= 0) break;
        m.out.append(buf, static_cast<size_t>(n));
    }
    close(fds[0]);
    int status = 0;
    rusage ru{};
    wait4(pid, &status, 0, &ru);
    m.seconds = since(t0);
    m.exit_code = status_code(status);
    m.peak_rss_kib = ru.ru_maxrss;
    return m;
}

bool Background::start(const std::vector<std::string>& argv) {
    if (access(argv[0].c_str(), X_OK) != 0) return false;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return false;
    pid_ = exec_child(argv, fds[1], 2, false);
    close(fds[1]);
    err_ = fds[0];
    return pid_ > 0;
}

std::string Background::stderr_line(double timeout_s) {
    auto t0 = Clock::now();
    while (err_ >= 0) {
        size_t nl = pending_.find('\n');
        if (nl != std::string::npos) {
            std::string line = pending_.substr(0, nl);
            pending_.erase(0, nl + 1);
            return line;
        }
        double left = timeout_s - since(t0);
        if (left <= 0) break;
        pollfd p{err_, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left * 1000) + 1) <= 0) continue;
        char buf[1024];
        ssize_t n = read(err_, buf, sizeof buf);
        if (n <= 0) break;
        pending_.append(buf, static_cast<size_t>(n));
    }
    return {};
}

void Background::stop(int sig) {
    if (err_ >= 0) close(err_);
    err_ = -1;
    if (pid_ <= 0) return;
    kill(pid_, sig);
    for (int i = 0; i < 300; ++i) {  // up to 3 s for a clean exit
        if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
            pid_ = -1;
            return;
        }
        usleep(10000);
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
}

std::string exe_dir() {
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0) return ".";
    std::string p(path, static_cast<size_t>(n));
    return p.substr(0, p.rfind('/'));
}

}  // namespace demo
