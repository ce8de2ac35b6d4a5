// Helpers for the wsserver tests (see wsserver_support.hpp).
#include "wsserver_support.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace corio_test {

namespace {

std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

int decode(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

// fork + exec with stdout/stderr to out_path; extra_env appended to the environment.
pid_t spawn(const std::vector<std::string>& argv, const std::string& out_path, bool also_stdout,
            const std::vector<std::string>& extra_env) {
    pid_t pid = fork();
    if (pid != 0) return pid;
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(also_stdout ? out : null, 1);
    dup2(out, 2);
    for (const std::string& e : extra_env) putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
}

int wait_pid(pid_t pid, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        int status = 0;
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) return decode(status);
        if (std::chrono::steady_clock::now() > deadline) return -1;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

}  // namespace

std::string wsserver_binary() {
    auto exe = std::filesystem::read_symlink("/proc/self/exe");
    return (exe.parent_path().parent_path() / "bin" / "wsserver").string();
}

ScratchDir::ScratchDir() {
    char tmpl[] = "/tmp/corio-ws-XXXXXX";
    path_ = mkdtemp(tmpl);
}

ScratchDir::~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

WsServerProcess::WsServerProcess(const std::vector<std::string>& args) {
    ScratchDir d;  // only for a unique name: the log file lives beside it
    dir_ = d.path() + ".log";
    std::vector<std::string> argv{wsserver_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_ = spawn(argv, dir_, false, {});
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    const std::string mark = "listening on ";
    while (std::chrono::steady_clock::now() < deadline) {
        std::string text = slurp(dir_);
        size_t at = text.find(mark);
        size_t eol = at == std::string::npos ? at : text.find('\n', at);
        if (eol != std::string::npos) {
            std::string addr = text.substr(at + mark.size(), eol - at - mark.size());
            port_ = static_cast<uint16_t>(std::stoul(addr.substr(addr.rfind(':') + 1)));
            return;
        }
        if (waitpid(pid_, &status_, WNOHANG) == pid_) {
            pid_ = -1;
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

WsServerProcess::~WsServerProcess() {
    if (pid_ > 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
    unlink(dir_.c_str());
}

std::string WsServerProcess::log() const { return slurp(dir_); }

void WsServerProcess::signal(int sig) {
    if (pid_ > 0) kill(pid_, sig);
}

int WsServerProcess::wait(std::chrono::milliseconds timeout) {
    if (pid_ < 0) return decode(status_);
    int r = wait_pid(pid_, timeout);
    if (r >= 0) pid_ = -1;
    return r;
}

RunResult run_program(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                      const std::vector<std::string>& extra_env) {
    ScratchDir d;
    std::string out = d.path() + "/out";
    pid_t pid = spawn(argv, out, true, extra_env);
    RunResult r;
    r.status = wait_pid(pid, timeout);
    if (r.status < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
    }
    r.output = slurp(out);
    return r;
}

RunResult run_chromium_page(const std::string& url, const std::vector<std::string>& extra_flags) {
    RunResult r;
    for (int attempt = 0; attempt < 4; ++attempt) {
        ScratchDir profile;
        std::vector<std::string> argv{"/usr/bin/chromium",
                                      "--headless",
                                      "--no-sandbox",
                                      "--disable-gpu",
                                      "--no-first-run",
                                      "--user-data-dir=" + profile.path(),
                                      "--virtual-time-budget=10000",
                                      "--dump-dom"};
        argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
        argv.push_back(url);
        r = run_program(argv, std::chrono::seconds(50));
        if (r.status != 0 || r.output.find("<pre id=\"result\">running</pre>") == std::string::npos)
            break;
    }
    return r;
}

std::string wait_for_log(const WsServerProcess& s, const std::string& text,
                         std::chrono::milliseconds timeout) {
    auto until = std::chrono::steady_clock::now() + timeout;
    std::string log = s.log();
    while (log.find(text) == std::string::npos && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        log = s.log();
    }
    return log;
}

}  // namespace corio_test
