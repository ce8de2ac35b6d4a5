// Processes for the network groups: servers started in the background pinned to one core (what
// `taskset -c 0` does, done with sched_setaffinity in the child), clients run to completion on
// the other with their peak RSS from wait4, peer programs looked up on PATH, the yardstick of
// ../shared/bench built into the build directory, and the machine's name for the report.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace bench {

constexpr int kServerCpu = 0;
constexpr int kClientCpu = 1;

// Full path of a program on PATH (or argv0 itself when it holds a '/' and is executable);
// "" when it is not there.
std::string find_program(const std::string& name);
// This benchmark binary (to start its hidden subcommands) and the folder it was built in.
std::string self_exe();
std::string bin_dir();
// The ../shared/bench yardstick built into <build>/yardstick (loadclient, echo_epoll,
// ws_echo_epoll); "" when its sources are not there or do not build. Built once per process.
std::string yardstick_dir();
// A fresh directory under $TMPDIR for configs and URL lists, removed when the process exits.
std::string scratch_dir();
bool write_file(const std::string& path, const std::string& text);

uint16_t free_port();
// True once 127.0.0.1:port accepts a connection (within timeout_s).
bool wait_listening(uint16_t port, double timeout_s = 10);

struct Spawn {
    std::vector<std::string> argv;  // argv[0] a path
    int cpu = -1;                   // pinned there when >= 0 and the machine has two cores
    std::vector<std::string> env;   // extra NAME=VALUE entries
    bool quiet = true;              // stderr to /dev/null
    bool raise_nofile = false;      // RLIMIT_NOFILE soft limit raised to the hard one
};

// A server in the background until stop() (or destruction): SIGTERM, then SIGKILL.
class Background {
public:
    Background() = default;
    Background(const Background&) = delete;
    Background& operator=(const Background&) = delete;
    ~Background() { stop(); }
    // Starts it and waits until it listens on port; false (and stopped) when it does not.
    bool start(const Spawn& spawn, uint16_t port);
    void stop();
    pid_t pid() const { return pid_; }
    long rss_kib() const;  // VmRSS now, -1 when unknown

private:
    pid_t pid_ = -1;
};

struct Measured {
    bool started = false;
    int exit_code = -1;  // WEXITSTATUS, or 128 + signal
    double seconds = 0;  // wall time, fork to exit
    long peak_rss_kib = 0;
    std::string out;  // stdout
};
// Runs a client to completion (killed after timeout_s), stdout captured; on_line, when given,
// sees each line of it as it comes (to measure a server while the client holds a state).
Measured run_measured(const Spawn& spawn, double timeout_s,
                      const std::function<void(const std::string&)>& on_line = {});

// key=value words of a program's output (wrk's and loadclient's summaries are turned into them
// by their groups); and a number from them, 0 when absent.
using Fields = std::map<std::string, std::string>;
Fields parse_fields(const std::string& text);
double num(const Fields& f, const std::string& key);
// A number after `"key":` in a JSON line (the crawlers' summaries); 0 when absent.
double json_num(const std::string& json, const std::string& key);

// wrk's "Requests/sec" and its --latency 99% in microseconds, from its text output.
struct WrkResult {
    double rps = 0;
    double p99_us = 0;
    double requests = 0;
    double errors = 0;  // socket errors + non-2xx responses
    long peak_rss_kib = 0;
};
WrkResult parse_wrk(const std::string& out);
// wrk -t1 -c conns -d seconds --latency on the client core against 127.0.0.1:port; false
// when wrk is not installed or did not run.
bool run_wrk(uint16_t port, int conns, int seconds, WrkResult& out);

// "2 cores, AMD EPYC (load 1.02 0.95 0.80)": what the report names as the machine.
std::string machine_description();

}  // namespace bench
