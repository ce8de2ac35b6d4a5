// Concurrency-control benchmarks (issue 4): gather against spawning and awaiting one by one,
// semaphore acquire/release, queue put/get between two tasks, and wait_for's overhead around
// work that is ready at once. Real clock, one loop per measurement.

#include <chrono>
#include <cstdint>
#include <vector>

#include "bench.hpp"
#include "corio/corio.hpp"

namespace bench {

namespace {

using Clock = std::chrono::steady_clock;
using corio::Coro;
using corio::Task;
using namespace std::chrono_literals;

double elapsed_ns(Clock::time_point since) {
    return std::chrono::duration<double, std::nano>(Clock::now() - since).count();
}

// Keeps results observable so the optimiser cannot drop the work.
volatile int64_t g_sink = 0;

Coro<int> ready(int v) { co_return v; }

Coro<int> yield_once(int v) {
    co_await corio::sleep(0s);
    co_return v;
}

template <class Make>
Coro<double> gather_ms(int n, Make make) {
    auto start = Clock::now();
    std::vector<Coro<int>> coros;
    coros.reserve(n);
    for (int i = 0; i < n; ++i) coros.push_back(make(i));
    std::vector<int> r = co_await corio::gather(std::move(coros));
    double ms = elapsed_ns(start) / 1e6;
    g_sink = g_sink + r.back();
    co_return ms;
}

template <class Make>
Coro<double> one_by_one_ms(int n, Make make) {
    auto start = Clock::now();
    std::vector<Task<int>> tasks;
    tasks.reserve(n);
    for (int i = 0; i < n; ++i) tasks.push_back(corio::create_task(make(i)));
    int64_t sum = 0;
    for (Task<int>& t : tasks) sum += co_await t;
    double ms = elapsed_ns(start) / 1e6;
    g_sink = g_sink + sum;
    co_return ms;
}

void bench_gather(Report& out) {
    constexpr int kTasks = 100'000;
    // One unmeasured pass of each first: whichever ran first would otherwise pay the page
    // faults of growing the heap to ~20 MB for both.
    corio::run(gather_ms(kTasks, ready));
    corio::run(one_by_one_ms(kTasks, ready));
    double g = corio::run(gather_ms(kTasks, ready));
    double o = corio::run(one_by_one_ms(kTasks, ready));
    double gy = corio::run(gather_ms(kTasks, yield_once));
    double oy = corio::run(one_by_one_ms(kTasks, yield_once));
    out.push_back({"gather of 100,000 ready tasks", g, "ms total"});
    out.push_back({"spawn + await one by one, 100,000 ready tasks", o, "ms total"});
    out.push_back({"gather / one by one (ready tasks)", g / o, "ratio", "<= 1.5"});
    out.push_back({"gather of 100,000 tasks that yield once", gy, "ms total"});
    out.push_back({"spawn + await one by one, tasks that yield once", oy, "ms total"});
    out.push_back({"gather / one by one (tasks that yield once)", gy / oy, "ratio", "<= 1.5"});
}

Coro<double> semaphore_uncontended_ns(int n) {
    corio::Semaphore sem{1};
    int64_t held = 0;
    auto start = Clock::now();
    for (int i = 0; i < n; ++i) {
        auto h = co_await sem.acquire();
        held += h.held();
    }
    double ns = elapsed_ns(start) / n;
    g_sink = g_sink + held;
    co_return ns;
}

// Two tasks take turns: each holds the permit across a yield, so every acquire waits and is
// handed the permit by the other's release.
Coro<double> semaphore_contended_ns(int n, bool use_semaphore) {
    corio::Semaphore sem{1};
    auto worker = [](corio::Semaphore& sem, int n, bool use) -> Coro<void> {
        for (int i = 0; i < n; ++i) {
            if (use) {
                auto h = co_await sem.acquire();
                co_await corio::sleep(0s);
            } else {
                co_await corio::sleep(0s);
            }
        }
    };
    auto start = Clock::now();
    co_await corio::gather(worker(sem, n, use_semaphore), worker(sem, n, use_semaphore));
    co_return elapsed_ns(start) / (2.0 * n);
}

void bench_semaphore(Report& out) {
    double u = corio::run(semaphore_uncontended_ns(10'000'000));
    double c = corio::run(semaphore_contended_ns(1'000'000, true));
    double y = corio::run(semaphore_contended_ns(1'000'000, false));
    out.push_back({"semaphore acquire+release, uncontended", u, "ns per pair", "< 10"});
    out.push_back({"semaphore acquire+release, 2 tasks contending", c, "ns per pair (+ yield)"});
    out.push_back({"  the same loop without the semaphore (yield only)", y, "ns per iteration"});
    out.push_back({"  contended hand-off cost (difference)", c - y, "ns per pair"});
}

Coro<double> queue_ns(int n, size_t maxsize) {
    corio::Queue<int> q{maxsize};
    auto produce = [](corio::Queue<int>& q, int n) -> Coro<void> {
        for (int i = 0; i < n; ++i) co_await q.put(i);
    };
    auto consume = [](corio::Queue<int>& q, int n) -> Coro<int64_t> {
        int64_t sum = 0;
        for (int i = 0; i < n; ++i) sum += co_await q.get();
        co_return sum;
    };
    auto start = Clock::now();
    auto [_, sum] = co_await corio::gather(produce(q, n), consume(q, n));
    double ns = elapsed_ns(start) / n;
    g_sink = g_sink + sum;
    co_return ns;
}

void bench_queue(Report& out) {
    constexpr int kItems = 2'000'000;
    out.push_back({"queue put+get, 2 tasks, maxsize 0 (unbounded)", corio::run(queue_ns(kItems, 0)),
                   "ns per item", "< 40"});
    out.push_back({"queue put+get, 2 tasks, maxsize 1024", corio::run(queue_ns(kItems, 1024)),
                   "ns per item", "< 40"});
    out.push_back({"queue put+get, 2 tasks, maxsize 1 (a switch per item)",
                   corio::run(queue_ns(kItems, 1)), "ns per item"});
}

Coro<double> await_ready_ns(int n, bool with_timeout) {
    int64_t sum = 0;
    auto start = Clock::now();
    for (int i = 0; i < n; ++i) {
        if (with_timeout) {
            sum += co_await corio::wait_for(ready(i), 1s);
        } else {
            sum += co_await ready(i);
        }
    }
    double ns = elapsed_ns(start) / n;
    g_sink = g_sink + sum;
    co_return ns;
}

Coro<double> wait_for_done_task_ns(int n) {
    Task<int> t = corio::create_task(ready(1));
    co_await t;
    int64_t sum = 0;
    auto start = Clock::now();
    for (int i = 0; i < n; ++i) sum += co_await corio::wait_for(t, 1s);
    double ns = elapsed_ns(start) / n;
    g_sink = g_sink + sum;
    co_return ns;
}

void bench_wait_for(Report& out) {
    constexpr int kIterations = 2'000'000;
    double bare = corio::run(await_ready_ns(kIterations, false));
    double timed = corio::run(await_ready_ns(kIterations, true));
    out.push_back({"co_await ready coroutine", bare, "ns"});
    out.push_back({"co_await wait_for(ready coroutine, 1 s)", timed, "ns"});
    out.push_back({"wait_for overhead (difference)", timed - bare, "ns", "< 100"});
    out.push_back({"co_await wait_for(finished task, 1 s)",
                   corio::run(wait_for_done_task_ns(kIterations)), "ns"});
}

}  // namespace

CORIO_BENCH("concurrency: gather", bench_gather);
CORIO_BENCH("concurrency: semaphore", bench_semaphore);
CORIO_BENCH("concurrency: queue", bench_queue);
CORIO_BENCH("concurrency: wait_for", bench_wait_for);

}  // namespace bench
