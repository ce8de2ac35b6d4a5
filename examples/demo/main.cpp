// `make demo`: the seed's first program in corio. Two tasks each sleep 2 s and return a string;
// awaited one after the other they still finish together, in one sleep's time, not two.
#include <chrono>
#include <cstdio>
#include <string>

#include "corio/corio.hpp"

using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;
const Clock::time_point t0 = Clock::now();

double since_start() { return std::chrono::duration<double>(Clock::now() - t0).count(); }

corio::Coro<std::string> fetch(std::string what, std::chrono::milliseconds delay) {
    std::printf("[%5.3f s] %s: started, sleeping %lld ms\n", since_start(), what.c_str(),
                static_cast<long long>(delay.count()));
    co_await corio::sleep(delay);
    std::printf("[%5.3f s] %s: done\n", since_start(), what.c_str());
    co_return what + " result";
}

corio::Coro<int> main_task() {
    auto a = corio::create_task(fetch("task A", 2000ms), "A");
    auto b = corio::create_task(fetch("task B", 2000ms), "B");
    std::string ra = co_await a;
    std::string rb = co_await b;
    double took = since_start();
    std::printf("[%5.3f s] got \"%s\" and \"%s\"\n", took, ra.c_str(), rb.c_str());
    std::printf("two 2-second sleeps awaited one after the other took %.3f s: %s\n", took,
                took < 3.0 ? "concurrent, as with asyncio" : "NOT concurrent");
    co_return took < 3.0 ? 0 : 1;
}

}  // namespace

int main() { return corio::run(main_task()); }
