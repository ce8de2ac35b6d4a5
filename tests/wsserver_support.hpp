// Helpers for the wsserver tests: the program run as a child (its stderr kept in a file, its port
// read from the "listening on" line), and other programs run to completion with a bound.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace corio_test {

// <build>/bin/wsserver, found from /proc/self/exe (<build>/tests/test_wsserver_x).
std::string wsserver_binary();

class WsServerProcess {
public:
    // Starts wsserver with args (add "--port", "0" yourself) and waits up to 10 s for its
    // "listening on" line; port() is 0 if it never came.
    explicit WsServerProcess(const std::vector<std::string>& args);
    WsServerProcess(const WsServerProcess&) = delete;
    WsServerProcess& operator=(const WsServerProcess&) = delete;
    ~WsServerProcess();  // SIGKILL and reap if still running

    uint16_t port() const { return port_; }
    std::string log() const;  // its stderr so far
    void signal(int sig);
    // Exit status (WEXITSTATUS, or 128+signal); -1 if still running at the timeout.
    int wait(std::chrono::milliseconds timeout);

private:
    std::string dir_;
    pid_t pid_ = -1;
    int status_ = -1;
    uint16_t port_ = 0;
};

// The server's log once it contains text, or as it is after timeout.
std::string wait_for_log(const WsServerProcess& s, const std::string& text,
                         std::chrono::milliseconds timeout = std::chrono::seconds(5));

struct RunResult {
    int status = -1;     // as WsServerProcess::wait; -1: killed at the timeout
    std::string output;  // stdout and stderr together
};
// Runs argv (environment plus extra_env "NAME=value" entries) to completion or timeout.
RunResult run_program(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                      const std::vector<std::string>& extra_env = {});

// Headless Chromium loading url (wsserver's page) and dumping its DOM, with extra_flags. Headless
// Chromium's virtual time does not wait for a WebSocket, so on a loaded machine the DOM may be
// dumped while the page still says "running": then the page is loaded again, at most 4 times in
// all (a page that says anything else is returned as it is).
RunResult run_chromium_page(const std::string& url,
                            const std::vector<std::string>& extra_flags = {});

// A fresh temporary directory, removed with its contents on destruction.
class ScratchDir {
public:
    ScratchDir();
    ~ScratchDir();
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

}  // namespace corio_test
