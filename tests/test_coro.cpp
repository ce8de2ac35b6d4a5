// Coro<T>: lazy start, inline awaiting, results and exceptions, move-only single use, and deep
// synchronous chains that must not grow the stack (the trampoline), at any optimisation level.
#include <catch2/catch.hpp>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "corio/corio.hpp"

using corio::Coro;

namespace {

Coro<long> nested(long depth) {
    if (depth == 0) co_return 0;
    co_return 1 + co_await nested(depth - 1);
}

Coro<void> nested_void(long depth, long& count) {
    if (depth > 0) co_await nested_void(depth - 1, count);
    ++count;
}

Coro<std::unique_ptr<int>> move_only() { co_return std::make_unique<int>(5); }

// Returns a reference to the larger of two objects the caller owns.
Coro<std::string&> larger(std::string& a, std::string& b) {
    co_return a.size() >= b.size() ? a : b;
}

Coro<const int&> first_of(const std::vector<int>& v) {
    if (v.empty()) throw std::out_of_range("empty");
    co_return v.front();
}

Coro<int> thrower() {
    throw std::invalid_argument("bad");
    co_return 0;
}

}  // namespace

TEST_CASE("a Coro does not start until it is awaited", "[coro]") {
    bool started = false;
    auto f = [](bool& s) -> Coro<int> {
        s = true;
        co_return 1;
    };
    auto c = f(started);
    REQUIRE_FALSE(started);
    REQUIRE(corio::run(std::move(c)) == 1);
    REQUIRE(started);
}

TEST_CASE("1,000,000 nested awaits complete without overflowing the stack", "[coro]") {
    REQUIRE(corio::run(nested(1'000'000)) == 1'000'000);
    long count = 0;
    corio::run(nested_void(1'000'000, count));
    REQUIRE(count == 1'000'001);
}

TEST_CASE("move-only results and exceptions pass through co_await", "[coro]") {
    auto main = []() -> Coro<int> {
        auto p = co_await move_only();
        int caught = 0;
        try {
            co_await thrower();
        } catch (const std::invalid_argument&) {
            caught = 1;
        }
        co_return *p + caught;
    };
    REQUIRE(corio::run(main()) == 6);
}

TEST_CASE("awaiting a Coro that already ran throws InvalidStateError", "[coro]") {
    auto main = []() -> Coro<std::string> {
        auto c = move_only();
        co_await c;
        try {
            co_await c;
        } catch (const corio::InvalidStateError&) {
            co_return "refused";
        }
        co_return "ran twice";
    };
    REQUIRE(corio::run(main()) == "refused");
}

TEST_CASE("an unstarted Coro is destroyed without running", "[coro]") {
    int runs = 0;
    {
        auto f = [](int& r) -> Coro<void> {
            ++r;
            co_return;
        };
        auto c = f(runs);
    }
    REQUIRE(runs == 0);
}

TEST_CASE("a Coro<T&> hands back the very object its body returned", "[coro]") {
    std::string a = "short", b = "much longer";
    std::vector<int> v{7, 8};
    auto outer = [](std::string& a, std::string& b, const std::vector<int>& v) -> Coro<int> {
        std::string& big = co_await larger(a, b);
        big += "!";  // writes through to the caller's string
        const int& front = co_await first_of(v);
        if (&front != &v[0]) co_return -1;
        const std::vector<int> none;
        try {
            co_await first_of(none);
        } catch (const std::out_of_range&) {
            co_return front;
        }
        co_return -2;
    };
    corio::Loop loop;
    int r = loop.run_until_complete(outer(a, b, v));
    REQUIRE(r == 7);
    REQUIRE(b == "much longer!");
    REQUIRE(a == "short");
}
