// Core benchmarks (issue 3): task spawn+complete, switches through the loop, timer lateness of
// timers that really fire, and memory per idle sleeping task. The rows that go through the
// poller (waves of spawns, switches, lateness) run again on the poll(2) backend (issue 14), so
// the table shows what epoll (or kqueue) buys.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "bench.hpp"
#include "corio/corio.hpp"

namespace bench {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

corio::Coro<void> empty_task() { co_return; }

// Spawns n tasks in waves of `wave` (all of a wave created, then each awaited): every task is
// created, scheduled, run to completion and freed. One wave of 1M keeps a million tasks alive
// at once (memory-bound); waves of 1,000 keep the working set in cache, as a server does.
corio::Coro<double> spawn_round(int n, int wave) {
    std::vector<corio::Task<void>> tasks;
    tasks.reserve(wave);
    auto t0 = Clock::now();
    for (int done = 0; done < n; done += wave) {
        for (int i = 0; i < wave; ++i) tasks.push_back(corio::create_task(empty_task()));
        for (auto& t : tasks) co_await t;
        tasks.clear();
    }
    co_return seconds_since(t0);
}

void bench_spawn(Report& out) {
    constexpr int kTasks = 1'000'000;
    {
        corio::Loop loop;
        double fresh = loop.run_until_complete(spawn_round(kTasks, kTasks));
        double warm = loop.run_until_complete(spawn_round(kTasks, kTasks));
        out.push_back({"spawn+complete 1M tasks at once, fresh loop", kTasks / fresh / 1e6,
                       "M tasks/s", ">= 10"});
        out.push_back({"spawn+complete 1M tasks at once, after warm-up", kTasks / warm / 1e6,
                       "M tasks/s", ">= 10"});
    }
    {
        corio::Loop loop;
        double fresh = loop.run_until_complete(spawn_round(kTasks, 1000));
        double warm = loop.run_until_complete(spawn_round(kTasks, 1000));
        out.push_back({"spawn+complete 1M tasks in waves of 1k, fresh loop", kTasks / fresh / 1e6,
                       "M tasks/s", ">= 10"});
        out.push_back({"spawn+complete 1M tasks in waves of 1k, after warm-up", kTasks / warm / 1e6,
                       "M tasks/s", ">= 10"});
    }
    {
        corio::Loop loop({.poller = corio::PollerKind::Poll});
        loop.run_until_complete(spawn_round(kTasks, 1000));
        double warm = loop.run_until_complete(spawn_round(kTasks, 1000));
        out.push_back({"spawn+complete 1M tasks in waves of 1k, after warm-up (poll backend)",
                       kTasks / warm / 1e6, "M tasks/s"});
    }
}

// The default backend's rows keep their names; the poll(2) backend's say so.
struct Backend {
    corio::PollerKind kind;
    const char* suffix;
};
constexpr Backend kBackends[] = {{corio::PollerKind::Default, ""},
                                 {corio::PollerKind::Poll, " (poll backend)"}};

corio::Coro<void> yielder(int rounds) {
    for (int i = 0; i < rounds; ++i) co_await corio::sleep(0s);
}

// Two tasks yielding to each other through the loop's ready queue: each yield is one switch.
void bench_switch(Report& out) {
    constexpr int kRounds = 1'000'000;
    for (const Backend& backend : kBackends) {
        corio::Loop loop({.poller = backend.kind});
        auto run = [&]() -> corio::Coro<double> {
            auto t0 = Clock::now();
            auto a = corio::create_task(yielder(kRounds));
            auto b = corio::create_task(yielder(kRounds));
            co_await a;
            co_await b;
            co_return seconds_since(t0);
        };
        double secs = loop.run_until_complete(run());
        // 2 tasks x kRounds yields, each a switch from one task to the other.
        out.push_back({std::string("task switch via loop (2 tasks ping-pong)") + backend.suffix,
                       secs * 1e9 / (2.0 * kRounds), "ns", *backend.suffix ? "" : "< 25"});
    }
}

// 100,000 timers of 1-100 ms that really fire, armed as a program arms them: in batches of
// 1,000 with a yield between, each due 1-100 ms after it was armed, so the first ones fall due
// while the rest are still being armed (issue 16's shape: a loop that expired timers only every
// 64 ready items held them back for 64 batches). lateness = when the callback ran minus its
// deadline, so it includes the poll wake-up and the ready-queue delay.
void lateness_on(const Backend& backend, Report& out) {
    constexpr int kTimers = 100'000;
    constexpr int kBatch = 1'000;
    std::vector<double> late;
    late.reserve(kTimers);
    corio::Loop loop({.poller = backend.kind});
    auto run = [&]() -> corio::Coro<void> {
        uint32_t x = 12345;
        for (int i = 0; i < kTimers; ++i) {
            x = x * 1664525u + 1013904223u;
            auto due = loop.time() + std::chrono::microseconds(1000 + (x >> 8) % 99'000);
            loop.call_at(due, [&late, due] {
                auto now = std::chrono::steady_clock::now();
                late.push_back(std::chrono::duration<double, std::micro>(now - due).count());
            });
            if ((i + 1) % kBatch == 0) co_await corio::sleep(0ms);
        }
        while (late.size() < kTimers) co_await corio::sleep(10ms);
    };
    loop.run_until_complete(run());
    std::sort(late.begin(), late.end());
    std::string suffix = backend.suffix;
    out.push_back({"timer lateness p50 (100k timers 1-100 ms, 1k a step)" + suffix,
                   late[kTimers / 2] / 1000, "ms"});
    out.push_back({"timer lateness p99 (100k timers 1-100 ms, 1k a step)" + suffix,
                   late[kTimers * 99 / 100] / 1000, "ms", suffix.empty() ? "<= 1.1" : ""});
}

void bench_lateness(Report& out) {
    for (const Backend& backend : kBackends) lateness_on(backend, out);
}

long rss_bytes() {
    std::ifstream f("/proc/self/statm");
    long pages = 0, resident = 0;
    f >> pages >> resident;
    return resident * 4096;
}

corio::Coro<void> idle_sleeper() { co_await corio::sleep(10s); }

// RSS growth for 100,000 tasks each parked in a 10 s sleep, divided by the count. Measured in
// a forked child so every round starts from a fresh heap; the clock is manual so no sleep fires
// while we measure, and the tasks are cancelled and finished before the loop closes.
double idle_task_bytes() {
    constexpr int kTasks = 100'000;
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<corio::Task<void>> tasks;
    tasks.reserve(kTasks);
    auto yield_twice = []() -> corio::Coro<void> {
        co_await corio::sleep(0s);
        co_await corio::sleep(0s);
    };
    loop.run_until_complete(yield_twice());  // the loop's own buffers are allocated
    long before = rss_bytes();
    auto park = [&]() -> corio::Coro<void> {
        for (int i = 0; i < kTasks; ++i) tasks.push_back(corio::create_task(idle_sleeper()));
        co_await corio::sleep(0s);  // every task starts and parks in its sleep
    };
    loop.run_until_complete(park());
    long after = rss_bytes();
    for (auto& t : tasks) t.cancel();
    loop.run_until_complete(yield_twice());
    return static_cast<double>(after - before) / kTasks;
}

void bench_idle_memory(Report& out) {
    int fds[2];
    if (pipe(fds) != 0) return;
    pid_t pid = fork();
    if (pid == 0) {
        double v = idle_task_bytes();
        (void)!write(fds[1], &v, sizeof v);
        _exit(0);
    }
    close(fds[1]);
    double v = -1;
    (void)!read(fds[0], &v, sizeof v);
    close(fds[0]);
    waitpid(pid, nullptr, 0);
    out.push_back({"RSS per idle task (100k tasks in sleep(10s))", v, "bytes", "< 256"});
}

}  // namespace

CORIO_BENCH("core: tasks", bench_spawn);
CORIO_BENCH("core: switches", bench_switch);
CORIO_BENCH("core: timer lateness", bench_lateness);
CORIO_BENCH("core: idle task memory", bench_idle_memory);

}  // namespace bench
