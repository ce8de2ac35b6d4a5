// ThreadPool on its own (no loop): lazy workers up to the maximum, FIFO, shutdown that finishes
// or discards queued jobs without deadlock, and the misuses it refuses.
#include <atomic>
#include <catch2/catch.hpp>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "corio/error.hpp"
#include "corio/thread_pool.hpp"
#include "support.hpp"

namespace {

// A heap job that records whether it ran or was discarded, then frees itself.
struct Job final : corio::detail::PoolJob {
    std::function<void()> body;
    std::atomic<int>* discarded;
    Job(std::function<void()> b, std::atomic<int>* d = nullptr)
        : body(std::move(b)), discarded(d) {}
    void execute() noexcept override {
        body();
        delete this;
    }
    void discard() noexcept override {
        if (discarded) ++*discarded;
        delete this;
    }
};

}  // namespace

TEST_CASE("the default pool size is the hardware thread count, at least 4", "[pool]") {
    corio::ThreadPool pool;
    REQUIRE(pool.max_workers() >= 4);
    REQUIRE(pool.max_workers() >= std::thread::hardware_concurrency());
    REQUIRE(pool.workers() == 0);  // nothing started before the first job
}

TEST_CASE("a pool starts a worker per job that finds none idle, up to its maximum", "[pool]") {
    corio::ThreadPool pool(3);
    corio_test::Gate gate;
    std::atomic<int> started{0};
    for (int i = 0; i < 5; ++i) {
        pool.submit(new Job([&] {
            ++started;
            gate.wait();
        }));
    }
    while (started.load() < 3) std::this_thread::yield();
    REQUIRE(pool.workers() == 3);
    REQUIRE(pool.queued() == 2);
    gate.open();
    pool.shutdown();
    REQUIRE(started.load() == 5);
}

TEST_CASE("an idle worker is reused instead of starting another", "[pool]") {
    corio::ThreadPool pool(8);
    for (int i = 0; i < 20; ++i) {
        corio_test::Gate done;
        pool.submit(new Job([&] { done.open(); }));
        REQUIRE(done.wait());
        // Let the worker go back to waiting before the next submit looks for an idle one.
        while (pool.idle_workers() != 1) std::this_thread::yield();
    }
    REQUIRE(pool.workers() == 1);
}

TEST_CASE("one worker runs jobs in the order submitted", "[pool]") {
    corio::ThreadPool pool(1);
    std::mutex mu;
    std::vector<int> order;
    for (int i = 0; i < 50; ++i) {
        pool.submit(new Job([&, i] {
            std::lock_guard<std::mutex> g(mu);
            order.push_back(i);
        }));
    }
    pool.shutdown();
    REQUIRE(order.size() == 50);
    for (int i = 0; i < 50; ++i) REQUIRE(order[i] == i);
}

TEST_CASE("shutdown runs the queued jobs before it joins the workers", "[pool]") {
    std::atomic<int> ran{0};
    {
        corio::ThreadPool pool(2);
        for (int i = 0; i < 100; ++i) pool.submit(new Job([&] { ++ran; }));
    }  // the destructor is shutdown()
    REQUIRE(ran.load() == 100);
}

TEST_CASE("shutdown with cancel_pending discards queued jobs; a running one finishes", "[pool]") {
    corio::ThreadPool pool(1);
    corio_test::Gate gate;
    corio_test::Gate running;
    std::atomic<int> ran{0};
    std::atomic<int> discarded{0};
    pool.submit(new Job([&] {
        running.open();
        gate.wait();
        ++ran;
    }));
    for (int i = 0; i < 3; ++i) pool.submit(new Job([&] { ++ran; }, &discarded));
    REQUIRE(running.wait());
    std::thread closer([&] { pool.shutdown(true); });
    while (discarded.load() < 3) std::this_thread::yield();
    REQUIRE(ran.load() == 0);  // shutdown is still joining the running job
    gate.open();
    closer.join();
    REQUIRE(ran.load() == 1);
    REQUIRE(discarded.load() == 3);
    REQUIRE(pool.is_shutdown());
}

TEST_CASE("submit after shutdown throws corio::Error", "[pool]") {
    corio::ThreadPool pool(2);
    pool.shutdown();
    pool.shutdown();  // idempotent
    auto* job = new Job([] {});
    REQUIRE_THROWS_AS(pool.submit(job), corio::Error);
    delete job;
}

TEST_CASE("shutdown from inside one of its own jobs throws instead of deadlocking", "[pool]") {
    corio::ThreadPool pool(2);
    corio_test::Gate done;
    bool threw = false;
    pool.submit(new Job([&] {
        try {
            pool.shutdown();
        } catch (const corio::Error&) {
            threw = true;
        }
        done.open();
    }));
    REQUIRE(done.wait());
    pool.shutdown();
    REQUIRE(threw);
}

TEST_CASE("shutdown called from two threads at once joins once and returns in both", "[pool]") {
    corio::ThreadPool pool(4);
    std::atomic<int> ran{0};
    for (int i = 0; i < 40; ++i) pool.submit(new Job([&] { ++ran; }));
    std::thread a([&] { pool.shutdown(); });
    std::thread b([&] { pool.shutdown(); });
    a.join();
    b.join();
    REQUIRE(ran.load() == 40);
    REQUIRE(pool.workers() == 0);
}
