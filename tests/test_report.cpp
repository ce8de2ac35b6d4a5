// The loop's reporting hook: diagnostics the library cannot throw (a callback that threw, a task
// exception nobody retrieved, a task destroyed pending, a TaskGroup dropped early) reach
// Loop::set_reporter's function instead of stderr, and stderr again once it is reset.
#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "corio/corio.hpp"
#include "support.hpp"

using corio::Coro;
using corio_test::capture_stderr;

namespace {

Coro<void> fail_soon() {
    co_await corio::sleep(std::chrono::milliseconds(0));
    throw std::runtime_error("nobody asked");
}

Coro<void> pause(int ms) { co_await corio::sleep(std::chrono::milliseconds(ms)); }

Coro<void> forever() { co_await corio::sleep(std::chrono::hours(1)); }

}  // namespace

TEST_CASE("the reporter receives every diagnostic, one line each, and stderr none", "[report]") {
    std::vector<std::string> lines;
    std::string err = capture_stderr([&] {
        corio::Loop loop;
        loop.set_reporter([&](std::string_view m) { lines.emplace_back(m); });
        loop.call_soon([] { throw std::logic_error("boom"); });
        {
            auto t = loop.create_task(fail_soon(), "failing");
            loop.run_until_complete(pause(5));
            REQUIRE(t.done());
        }  // the last handle goes: the exception was never retrieved
        auto stuck = loop.create_task(forever(), "stuck");
        loop.run_until_complete(pause(1));
        loop.close();  // destroys the pending task
    });
    REQUIRE(err.empty());
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] == "exception in callback: boom");
    CHECK(lines[1] == "Task exception was never retrieved: failing: nobody asked");
    CHECK(lines[2] == "Task was destroyed but it is pending: stuck");
}

TEST_CASE("without a reporter, or after it is reset, diagnostics go to stderr", "[report]") {
    std::vector<std::string> lines;
    std::string err = capture_stderr([&] {
        corio::Loop loop;
        loop.set_reporter([&](std::string_view m) { lines.emplace_back(m); });
        loop.set_reporter(nullptr);
        loop.call_soon([] { throw std::logic_error("boom"); });
        loop.run_until_complete(pause(1));
    });
    REQUIRE(lines.empty());
    REQUIRE(err == "corio: exception in callback: boom\n");
}

TEST_CASE("a task handle that outlives its loop reports to stderr, not to the dead loop",
          "[report]") {
    std::vector<std::string> lines;
    std::string err = capture_stderr([&] {
        corio::Task<void> t;
        {
            corio::Loop loop;
            loop.set_reporter([&](std::string_view m) { lines.emplace_back(m); });
            t = loop.create_task(fail_soon(), "orphan");
            loop.run_until_complete(pause(5));
            REQUIRE(t.done());
        }
        t = corio::Task<void>();
    });
    REQUIRE(lines.empty());
    REQUIRE(err == "corio: Task exception was never retrieved: orphan: nobody asked\n");
}

TEST_CASE("a TaskGroup dropped with children running says so through the reporter", "[report]") {
    std::vector<std::string> lines;
    corio::Loop loop;
    loop.set_reporter([&](std::string_view m) { lines.emplace_back(m); });
    auto body = []() -> Coro<void> {
        corio::TaskGroup group;
        group.create_task(forever());
        co_await corio::sleep(std::chrono::milliseconds(1));
    };
    loop.run_until_complete(body());
    loop.run_until_complete(pause(1));
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].starts_with("TaskGroup destroyed with 1 unfinished children (cancelled)"));
}
