// Switch costs measured the same way on both sides: two parties take turns N times and the
// total is divided by the number of hand-overs. Coroutines yield to the loop (sleep(0s));
// threads hand the turn over through a mutex and a condition variable, as blocking code does.
#include "switches.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "corio/corio.hpp"

namespace demo {

namespace {

using Clock = std::chrono::steady_clock;

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

corio::Coro<void> yielder(int n) {
    for (int i = 0; i < n; ++i) co_await corio::sleep(std::chrono::seconds(0));
}

corio::Coro<double> ping_pong(int n) {
    auto t0 = Clock::now();
    auto a = corio::create_task(yielder(n));
    auto b = corio::create_task(yielder(n));
    co_await a;
    co_await b;
    co_return std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / (2.0 * n);
}

double threads_once(int n) {
    std::mutex mu;
    std::condition_variable cv;
    int turn = 0;
    auto player = [&](int me) {
        for (int i = 0; i < n; ++i) {
            std::unique_lock<std::mutex> lock(mu);
            cv.wait(lock, [&] { return turn == me; });
            turn = 1 - me;
            cv.notify_one();
        }
    };
    auto t0 = Clock::now();
    std::thread a(player, 0), b(player, 1);
    a.join();
    b.join();
    return std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / (2.0 * n);
}

}  // namespace

double coroutine_switch_ns() {
    std::vector<double> rounds;
    for (int r = 0; r < 5; ++r) rounds.push_back(corio::run(ping_pong(200000)));
    return median(rounds);
}

double thread_switch_ns() {
    std::vector<double> rounds;
    for (int r = 0; r < 5; ++r) rounds.push_back(threads_once(20000));
    return median(rounds);
}

}  // namespace demo
