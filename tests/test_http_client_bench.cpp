// Client throughput beside wrk, written down and never asserted (hidden: run with
// `test_http_client_bench [.bench]`). nginx with one worker pinned to CPU 0; the client and wrk
// pinned to CPU 1; 10,000 GETs at concurrency 100, medians of 3 runs, and the peak RSS.
#include <sched.h>
#include <sys/resource.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "corio/corio.hpp"
#include "corio/http/client.hpp"
#include "http_peer_support.hpp"

using namespace std::chrono_literals;
using corio::Coro;
using corio::http::ClientOptions;
using corio::http::ClientSession;

namespace {

void pin(pid_t pid, int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(pid, sizeof set, &set);
}

// 10,000 GETs by 100 workers sharing one session; returns requests per second.
double client_run(const corio_test::NginxPeer& nginx, bool decompress) {
    const int total = 10000;
    int next = 0, good = 0;
    std::vector<std::string> urls;
    for (int i = 0; i < 1000; ++i) urls.push_back(nginx.url("/n/" + std::to_string(i) + ".html"));
    auto start = std::chrono::steady_clock::now();
    corio::run([&]() -> Coro<void> {
        ClientSession session(ClientOptions{.decompress = decompress});
        auto worker = [&]() -> Coro<void> {
            while (next < total) {
                int i = next++;
                corio::http::Response r = co_await session.get(urls[i % 1000]);
                if (r.status == 200) ++good;
            }
        };
        std::vector<Coro<void>> workers;
        for (int w = 0; w < 100; ++w) workers.push_back(worker());
        co_await corio::wait_for(corio::gather(std::move(workers)), 120s);
    }());
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(good == total);
    return total / secs;
}

double wrk_run(const corio_test::NginxPeer& nginx, const std::string& header) {
    std::vector<std::string> argv = {"taskset", "-c", "1", "wrk", "-t1", "-c100", "-d5"};
    if (!header.empty()) {
        argv.push_back("-H");
        argv.push_back(header);
    }
    argv.push_back(nginx.url("/n/1.html"));
    corio_test::Child wrk(argv);
    std::string out = wrk.read_all(30s);
    wrk.wait(5s);
    size_t at = out.find("Requests/sec:");
    return at == std::string::npos ? 0 : std::stod(out.substr(at + 13));
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace

TEST_CASE("client requests/s beside wrk against nginx (written down, not asserted)",
          "[.bench][http][client]") {
    corio_test::NginxPeer nginx;
    pin(nginx.pid(), 0);
    pin(0, 1);
    for (bool gzip : {false, true}) {
        std::vector<double> ours, theirs;
        for (int i = 0; i < 3; ++i) {
            ours.push_back(client_run(nginx, gzip));
            theirs.push_back(wrk_run(nginx, gzip ? "Accept-Encoding: gzip, deflate" : ""));
        }
        double a = median(ours), b = median(theirs);
        std::printf("%s: corio client %.0f req/s, wrk %.0f req/s (%.0f%%)\n",
                    gzip ? "gzip" : "identity", a, b, b > 0 ? 100 * a / b : 0.0);
    }
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::printf("peak RSS of this process: %.1f MiB\n", ru.ru_maxrss / 1024.0);
}
