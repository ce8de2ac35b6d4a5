// Processes for the network groups: fork + exec with a pinned CPU, wait4 for peak RSS, a
// deadline on every client so nothing a benchmark starts can outlive it.
#include "peers.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace bench {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// In the child, between fork and exec: pin, raise the fd limit, route stdout and stderr.
[[noreturn]] void exec_child(const Spawn& s, int out_fd) {
    if (s.cpu >= 0 && std::thread::hardware_concurrency() >= 2) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(s.cpu, &set);
        sched_setaffinity(0, sizeof set, &set);
    }
    if (s.raise_nofile) {
        rlimit rl{};
        getrlimit(RLIMIT_NOFILE, &rl);
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(out_fd >= 0 ? out_fd : null, 1);
    if (s.quiet) dup2(null, 2);
    for (const auto& e : s.env) putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> args;
    for (const auto& a : s.argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
}

int status_code(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

double wrk_duration_us(const std::string& v) {
    double x = std::atof(v.c_str());
    if (v.find("us") != std::string::npos) return x;
    if (v.find("ms") != std::string::npos) return x * 1e3;
    if (v.find('s') != std::string::npos) return x * 1e6;
    return x;
}

}  // namespace

std::string find_program(const std::string& name) {
    if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0 ? name : "";
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
    dirs += ":/usr/sbin:/sbin";  // nginx lives in sbin, often off a user's PATH
    std::istringstream in(dirs);
    std::string dir;
    while (std::getline(in, dir, ':')) {
        std::string p = dir + "/" + name;
        if (!dir.empty() && access(p.c_str(), X_OK) == 0) return p;
    }
    return {};
}

std::string self_exe() {
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    return n > 0 ? std::string(path, static_cast<size_t>(n)) : std::string();
}

std::string bin_dir() {
    std::string p = self_exe();
    return p.substr(0, p.rfind('/'));
}

std::string yardstick_dir() {
    static std::string built;
    static bool tried = false;
    if (tried) return built;
    tried = true;
    // The sources sit beside the checkout (../shared/bench); the checkout is the build dir's
    // grandparent of bin/ (build/<B>/bin/bench), or the current directory under make.
    std::string src;
    for (std::string base : {std::string("."), bin_dir() + "/../../.."}) {
        if (access((base + "/../shared/bench/loadclient.c").c_str(), R_OK) == 0) {
            src = base + "/../shared/bench";
            break;
        }
    }
    if (src.empty()) return {};
    std::string out = bin_dir() + "/../yardstick";
    std::string cmd = "make -s -C " + src + " OUT=" + out + " >&2";
    if (std::system(cmd.c_str()) != 0) return {};
    built = out;
    return built;
}

std::string scratch_dir() {
    static std::string dir;
    if (!dir.empty()) return dir;
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/corio-bench-XXXXXX";
    if (!mkdtemp(tmpl.data())) return {};
    dir = tmpl;
    std::atexit([] {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    });
    return dir;
}

bool write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    return static_cast<bool>(out.flush());
}

uint16_t free_port() {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
    close(fd);
    return ntohs(sa.sin_port);
}

bool wait_listening(uint16_t port, double timeout_s) {
    auto t0 = Clock::now();
    while (since(t0) < timeout_s) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(port);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bool ok = connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
        close(fd);
        if (ok) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

bool Background::start(const Spawn& spawn, uint16_t port) {
    stop();
    if (spawn.argv.empty() || access(spawn.argv[0].c_str(), X_OK) != 0) return false;
    std::fflush(nullptr);
    pid_ = fork();
    if (pid_ == 0) exec_child(spawn, -1);
    if (pid_ < 0) return false;
    for (auto t0 = Clock::now(); since(t0) < 15;) {
        if (waitpid(pid_, nullptr, WNOHANG) == pid_) {  // it died (port taken, bad config)
            pid_ = -1;
            return false;
        }
        if (wait_listening(port, 0.05)) return true;
    }
    stop();
    return false;
}

void Background::stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
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

long Background::rss_kib() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
    }
    return -1;
}

Measured run_measured(const Spawn& spawn, double timeout_s,
                      const std::function<void(const std::string&)>& on_line) {
    Measured m;
    if (spawn.argv.empty() || access(spawn.argv[0].c_str(), X_OK) != 0) return m;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return m;
    std::fflush(nullptr);
    auto t0 = Clock::now();
    pid_t pid = fork();
    if (pid == 0) exec_child(spawn, fds[1]);
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
        size_t done = m.out.size();
        m.out.append(buf, static_cast<size_t>(n));
        if (!on_line) continue;
        size_t start = m.out.rfind('\n', done == 0 ? 0 : done - 1);
        start = start == std::string::npos || done == 0 ? 0 : start + 1;
        for (size_t nl = m.out.find('\n', done); nl != std::string::npos;
             nl = m.out.find('\n', start)) {
            on_line(m.out.substr(start, nl - start));
            start = nl + 1;
        }
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

Fields parse_fields(const std::string& text) {
    Fields f;
    std::istringstream in(text);
    std::string kv;
    while (in >> kv) {
        size_t eq = kv.find('=');
        if (eq != std::string::npos) f[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    return f;
}

double num(const Fields& f, const std::string& key) {
    auto it = f.find(key);
    return it == f.end() ? 0 : std::atof(it->second.c_str());
}

double json_num(const std::string& json, const std::string& key) {
    size_t at = json.rfind("\"" + key + "\":");
    if (at == std::string::npos) return 0;
    return std::atof(json.c_str() + at + key.size() + 3);
}

WrkResult parse_wrk(const std::string& out) {
    WrkResult r;
    std::istringstream in(out);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        std::string first, second;
        words >> first >> second;
        if (first == "Requests/sec:") {
            r.rps = std::atof(second.c_str());
        } else if (first == "99%") {
            r.p99_us = wrk_duration_us(second);
        } else if (second == "requests") {
            r.requests = std::atof(first.c_str());
        } else if (first == "Non-2xx") {
            r.errors += std::atof(line.substr(line.rfind(' ') + 1).c_str());
        } else if (first == "Socket") {
            for (const char* k : {"connect ", "read ", "write ", "timeout "}) {
                size_t at = line.find(k);
                if (at != std::string::npos) r.errors += std::atof(line.c_str() + at + strlen(k));
            }
        }
    }
    return r;
}

bool run_wrk(uint16_t port, int conns, int seconds, WrkResult& out) {
    std::string wrk = find_program("wrk");
    if (wrk.empty()) return false;
    Spawn s;
    s.argv = {wrk,
              "-t1",
              "-c" + std::to_string(conns),
              "-d" + std::to_string(seconds),
              "--latency",
              "http://127.0.0.1:" + std::to_string(port) + "/"};
    s.cpu = kClientCpu;
    s.raise_nofile = true;
    Measured m = run_measured(s, seconds + 30);
    out = parse_wrk(m.out);
    out.peak_rss_kib = m.peak_rss_kib;
    return m.exit_code == 0 && out.rps > 0;
}

std::string machine_description() {
    std::ifstream cpu("/proc/cpuinfo");
    std::string line, model = "unknown CPU";
    while (std::getline(cpu, line)) {
        if (line.rfind("model name", 0) == 0) {
            model = line.substr(line.find(':') + 2);
            break;
        }
    }
    double load[3] = {0, 0, 0};
    getloadavg(load, 3);
    char buf[512];
    std::snprintf(buf, sizeof buf, "%u cores, %s (load average %.2f %.2f %.2f)",
                  std::thread::hardware_concurrency(), model.c_str(), load[0], load[1], load[2]);
    return buf;
}

}  // namespace bench
