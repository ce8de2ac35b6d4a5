// The parts of tools/bench the network groups rest on: reading wrk's and the crawlers' output,
// running a client to completion with its peak RSS, lines seen as they come (how the ws group
// measures a server while the load client holds its connections), and background servers.
#include <signal.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include "../tools/bench/bench.hpp"
#include "../tools/bench/peers.hpp"

using namespace bench;

namespace {

const char* kWrk = R"(Running 5s test @ http://127.0.0.1:8080/
  1 threads and 100 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.10ms  300.00us   5.00ms   90.00%
  Latency Distribution
     50%    1.00ms
     75%    1.20ms
     90%    1.50ms
     99%    2.50ms
  100000 requests in 5.00s, 12.00MB read
  Socket errors: connect 1, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 4
Requests/sec:  20000.50
Transfer/sec:      2.40MB
)";

Spawn sh(const std::string& script) { return {{"/bin/sh", "-c", script}}; }

}  // namespace

TEST_CASE("parse_wrk reads req/s, p99 in microseconds and every kind of error") {
    WrkResult r = parse_wrk(kWrk);
    CHECK(r.rps == Approx(20000.5));
    CHECK(r.p99_us == Approx(2500));
    CHECK(r.requests == 100000);
    CHECK(r.errors == 10);
    std::string secs = kWrk;
    secs.replace(secs.find("2.50ms"), 6, "1.31s");
    CHECK(parse_wrk(secs).p99_us == Approx(1.31e6));
    secs.replace(secs.find("1.31s"), 5, "950.00us");
    CHECK(parse_wrk(secs).p99_us == Approx(950));
    CHECK(parse_wrk("wrk: connection refused\n").rps == 0);
}

TEST_CASE("key=value fields and JSON numbers are read, absent ones are 0") {
    Fields f = parse_fields("mode=ws msgs_per_s=1234.5 p99_us=77 errors=0\n");
    CHECK(num(f, "msgs_per_s") == Approx(1234.5));
    CHECK(num(f, "p99_us") == 77);
    CHECK(num(f, "absent") == 0);
    std::string line = R"({"requests": 1000, "ok": 998, "errors": 2, "seconds": 0.25})";
    CHECK(json_num(line, "ok") == 998);
    CHECK(json_num(line, "seconds") == Approx(0.25));
    CHECK(json_num(line, "bytes") == 0);
}

TEST_CASE("run_measured captures stdout, the exit status and the peak RSS") {
    Measured m = run_measured(sh("echo hello; exit 3"), 10);
    CHECK(m.started);
    CHECK(m.out == "hello\n");
    CHECK(m.exit_code == 3);
    CHECK(m.peak_rss_kib > 0);
    CHECK(m.seconds < 10);
    CHECK_FALSE(run_measured({{"/nonexistent/program"}}, 10).started);
}

TEST_CASE("run_measured kills a client that outlives its deadline") {
    auto t0 = std::chrono::steady_clock::now();
    Measured m = run_measured(sh("exec sleep 30"), 0.3);
    double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    CHECK(m.exit_code == 128 + SIGKILL);
    CHECK(took < 5);
}

TEST_CASE("on_line sees each whole line as it comes, split writes joined") {
    std::vector<std::string> lines;
    Measured m = run_measured(sh("printf 'REA'; sleep 0.1; printf 'DY held=7\\nDONE x=1\\n'"), 10,
                              [&](const std::string& l) { lines.push_back(l); });
    REQUIRE(lines.size() == 2);
    CHECK(lines[0] == "READY held=7");
    CHECK(num(parse_fields(lines[0]), "held") == 7);
    CHECK(lines[1] == "DONE x=1");
    CHECK(m.out == "READY held=7\nDONE x=1\n");
}

TEST_CASE("Background starts a server, waits until it listens and stops it") {
    uint16_t port = free_port();
    std::string py = "/usr/bin/python3";
    Spawn server{{py, "-c",
                  "import socket, sys, time\n"
                  "s = socket.socket()\n"
                  "s.bind(('127.0.0.1', int(sys.argv[1])))\n"
                  "time.sleep(0.2)\n"  // listening late: start() must wait for it
                  "s.listen()\n"
                  "time.sleep(60)\n",
                  std::to_string(port)}};
    Background bg;
    REQUIRE(bg.start(server, port));
    pid_t pid = bg.pid();
    CHECK(pid > 0);
    CHECK(bg.rss_kib() > 0);
    bg.stop();
    CHECK(bg.pid() == -1);
    CHECK(kill(pid, 0) != 0);  // reaped, not a zombie
    CHECK_FALSE(wait_listening(port, 0.2));
}

TEST_CASE("Background reports a server that exits instead of listening") {
    Background bg;
    auto t0 = std::chrono::steady_clock::now();
    CHECK_FALSE(bg.start(sh("exit 1"), free_port()));
    double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    CHECK(took < 5);
    CHECK(bg.pid() == -1);
}

TEST_CASE("a missing peer's row is NaN with the reason as its unit") {
    Row r = missing("node http req/s", "node not installed");
    CHECK(std::isnan(r.value));
    CHECK(r.unit == "node not installed");
}
