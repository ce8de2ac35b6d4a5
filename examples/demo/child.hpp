// Runs a program in its own process and measures it as the seed's table needs: wall time, and
// peak resident memory from wait4's rusage (ru_maxrss), which counts the child alone.
#pragma once

#include <string>
#include <vector>

namespace demo {

struct Measured {
    bool started = false;  // false: the program could not be run at all
    int exit_code = -1;    // as WEXITSTATUS, or 128 + signal
    double seconds = 0;    // wall time from fork to exit
    long peak_rss_kib = 0;
    std::string out;  // what it wrote to stdout
};

// Runs argv (argv[0] a path) to completion, stdout captured, stderr passed through when
// show_stderr, else discarded; killed after timeout_s.
Measured run_measured(const std::vector<std::string>& argv, double timeout_s, bool show_stderr);

// A program running in the background until stop() (SIGTERM, then SIGKILL after a grace).
class Background {
public:
    Background() = default;
    Background(const Background&) = delete;
    Background& operator=(const Background&) = delete;
    ~Background() { stop(); }
    // Starts argv; stderr is read through a pipe so callers can wait for a line on it.
    bool start(const std::vector<std::string>& argv);
    // Adopts an already forked child (the site server is a fork of the demo itself).
    void adopt(int pid) { pid_ = pid; }
    // The next line the program writes to stderr, or "" after timeout_s.
    std::string stderr_line(double timeout_s);
    // Sends sig (SIGTERM: a clean exit), then SIGKILL after 3 s; reaps the process.
    void stop(int sig = 15);

private:
    int pid_ = -1;
    int err_ = -1;
    std::string pending_;
};

// Directory of the running executable (where the sibling programs are built).
std::string exe_dir();

}  // namespace demo
