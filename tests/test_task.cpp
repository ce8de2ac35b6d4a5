// Tasks: results, exceptions, the unretrieved-exception report, handles outliving loop runs,
// done callbacks, names, and the seed's first program on the manual clock.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "corio/corio.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using corio::Coro;
using corio::Task;

namespace {

Coro<int> answer() { co_return 42; }

Coro<int> after(std::chrono::milliseconds d, int v) {
    co_await corio::sleep(d);
    co_return v;
}

Coro<void> boom() {
    co_await corio::sleep(1ms);
    throw std::runtime_error("boom");
}

}  // namespace

TEST_CASE("a task's result is returned by run_until_complete", "[task]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    REQUIRE(loop.run_until_complete(answer()) == 42);
    REQUIRE(loop.run_until_complete(after(5s, 7)) == 7);
}

TEST_CASE("two tasks that each sleep 2 s, awaited one after the other, finish in 2 s", "[task]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto t0 = loop.time();
    auto main = [&]() -> Coro<std::string> {
        auto fetch = [](std::string s) -> Coro<std::string> {
            co_await corio::sleep(2s);
            co_return s;
        };
        auto a = corio::create_task(fetch("a"));
        auto b = corio::create_task(fetch("b"));
        std::string ra = co_await a;
        std::string rb = co_await b;
        co_return ra + rb;
    };
    REQUIRE(loop.run_until_complete(main()) == "ab");
    REQUIRE(loop.time() - t0 == 2s);
}

TEST_CASE("an exception travels to whoever awaits the task", "[task]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = []() -> Coro<std::string> {
        auto t = corio::create_task(boom());
        try {
            co_await t;
        } catch (const std::runtime_error& e) {
            co_return e.what();
        }
        co_return "no exception";
    };
    REQUIRE(loop.run_until_complete(main()) == "boom");
}

TEST_CASE("result() throws InvalidStateError before the task is done", "[task]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto t = loop.create_task(after(1s, 3));
    REQUIRE_FALSE(t.done());
    REQUIRE_THROWS_AS(t.result(), corio::InvalidStateError);
    REQUIRE_THROWS_AS(t.exception(), corio::InvalidStateError);
    REQUIRE(loop.run_until_complete(t) == 3);
    REQUIRE(t.done());
    REQUIRE(t.result() == 3);
    REQUIRE(t.exception() == nullptr);
}

TEST_CASE("an exception nobody retrieved is reported on stderr when the task dies", "[task]") {
    corio::ManualClock clock;
    std::string err = corio_test::capture_stderr([&] {
        corio::Loop loop({.clock = &clock});
        auto t = loop.create_task(boom(), "doomed");
        auto wait = [](Task<void> t) -> Coro<void> {
            while (!t.done()) co_await corio::sleep(1ms);
        };
        loop.run_until_complete(wait(t));
    });
    REQUIRE_THAT(err, Catch::Contains("never retrieved") && Catch::Contains("doomed") &&
                          Catch::Contains("boom"));

    std::string quiet = corio_test::capture_stderr([&] {
        corio::Loop loop({.clock = &clock});
        auto t = loop.create_task(boom());
        loop.run_until_complete([](Task<void> t) -> Coro<void> {
            while (!t.done()) co_await corio::sleep(1ms);
        }(t));
        REQUIRE(t.exception() != nullptr);
    });
    REQUIRE(quiet.find("never retrieved") == std::string::npos);
}

TEST_CASE("a task handle outlives the loop run and the loop that made it", "[task]") {
    Task<int> kept;
    {
        corio::ManualClock clock;
        corio::Loop loop({.clock = &clock});
        kept = loop.create_task(after(10ms, 5));
        loop.run_until_complete(kept);
        auto pending = loop.create_task(after(1h, 6));
        (void)pending;
    }
    REQUIRE(kept.done());
    REQUIRE(kept.result() == 5);
}

TEST_CASE("a task still pending when its loop closes ends cancelled, and says so", "[task]") {
    Task<int> t;
    std::string err = corio_test::capture_stderr([&] {
        corio::ManualClock clock;
        corio::Loop loop({.clock = &clock});
        t = loop.create_task(after(1h, 6), "sleeper");
        loop.run_until_complete(after(1ms, 0));
    });
    REQUIRE(t.done());
    REQUIRE(t.cancelled());
    REQUIRE_THROWS_AS(t.result(), corio::CancelledError);
    REQUIRE_THAT(err, Catch::Contains("sleeper"));
}

TEST_CASE("copies of a Task refer to the same task and may all await it", "[task]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto main = []() -> Coro<int> {
        Task<int> t = corio::create_task(after(3ms, 4));
        std::vector<Task<int>> copies{t, t};
        auto waiter = [](Task<int> t) -> Coro<int> { co_return co_await t; };
        auto w1 = corio::create_task(waiter(copies[0]));
        auto w2 = corio::create_task(waiter(copies[1]));
        int a = co_await w1;
        int b = co_await w2;
        int c = co_await t;
        co_return a + b + c;
    };
    REQUIRE(loop.run_until_complete(main()) == 12);
}

TEST_CASE("done callbacks run on the loop after the task finishes, in order", "[task]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    std::vector<std::string> log;
    auto t = loop.create_task(after(2ms, 9), "cb-task");
    t.add_done_callback(
        [&](Task<int>& done) { log.push_back("first " + std::to_string(done.result())); });
    t.add_done_callback([&] { log.push_back("second"); });
    loop.run_until_complete(t);
    loop.run_until_complete(after(0ms, 0));
    REQUIRE(log == std::vector<std::string>{"first 9", "second"});
    t.add_done_callback([&] { log.push_back("late"); });
    loop.run_until_complete(after(0ms, 0));
    REQUIRE(log.back() == "late");
}

TEST_CASE("tasks are named Task-N by default, or as given", "[task]") {
    corio::ManualClock clock;
    corio::Loop loop({.clock = &clock});
    auto a = loop.create_task(answer());
    auto b = loop.create_task(answer(), "worker");
    REQUIRE(a.name().rfind("Task-", 0) == 0);
    REQUIRE(b.name() == "worker");
    b.set_name("renamed");
    REQUIRE(b.name() == "renamed");
    loop.run_until_complete(a);
    loop.run_until_complete(b);
}

TEST_CASE("corio::run twice in a row works, each with a fresh loop", "[task]") {
    auto main = []() -> Coro<int> {
        co_await corio::sleep(1ms);
        co_return 1;
    };
    REQUIRE(corio::run(main()) == 1);
    REQUIRE(corio::run(main()) == 1);
    REQUIRE(corio::Loop::running() == nullptr);
    REQUIRE_THROWS_AS(corio::Loop::current(), corio::Error);
}

TEST_CASE("corio::run cancels tasks left over when main returns and lets them clean up", "[task]") {
    bool cleaned = false;
    auto leftover = [](bool& cleaned) -> Coro<void> {
        std::exception_ptr cancelled;
        try {
            co_await corio::sleep(1h);
        } catch (const corio::CancelledError&) {
            cancelled = std::current_exception();
        }
        if (cancelled) {
            co_await corio::sleep(1ms);  // cleanup that itself awaits (not allowed in a handler)
            cleaned = true;
            std::rethrow_exception(cancelled);
        }
    };
    auto main = [&]() -> Coro<int> {
        corio::create_task(leftover(cleaned));
        co_await corio::sleep(1ms);
        co_return 0;
    };
    corio::ManualClock clock;
    REQUIRE(corio::run(main(), {.clock = &clock}) == 0);
    REQUIRE(cleaned);
}
