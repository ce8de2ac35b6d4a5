// crawl's politeness seen from the server: --per-host bounds the requests one host has in
// flight, --delay spaces their starts, and -c bounds them all.
#include <algorithm>
#include <catch2/catch.hpp>
#include <mutex>

#include "corio/corio.hpp"
#include "crawl_support.hpp"

using namespace crawl_test;
using namespace std::chrono_literals;
namespace http = corio::http;

namespace {

// Counts requests in flight at the server (each held for hold) and when each one arrived.
struct Recorder {
    std::mutex mu;
    int now = 0, peak = 0;
    std::vector<std::chrono::steady_clock::time_point> starts;

    corio::Coro<http::Response> answer(std::chrono::milliseconds hold) {
        {
            std::lock_guard<std::mutex> g(mu);
            peak = std::max(peak, ++now);
            starts.push_back(std::chrono::steady_clock::now());
        }
        co_await corio::sleep(hold);
        {
            std::lock_guard<std::mutex> g(mu);
            --now;
        }
        co_return http::Response::text(200, "ok");
    }
    int max_in_flight() {
        std::lock_guard<std::mutex> g(mu);
        return peak;
    }
};

std::vector<std::string> urls(const TestServer& s, int n) {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) out.push_back(s.url("/p" + std::to_string(i)));
    return out;
}

}  // namespace

TEST_CASE("crawl --per-host 2 keeps at most two requests at one host", "[crawl][polite]") {
    Recorder rec;
    TestServer server([&rec](http::Request&) { return rec.answer(50ms); });
    std::vector<std::string> args{"-c", "10", "--per-host", "2"};
    for (auto& u : urls(server, 10)) args.push_back(u);
    CrawlResult r = run_crawl(args);
    REQUIRE(r.status == 0);
    REQUIRE(parse_json_lines(r.out).size() == 10);
    REQUIRE(rec.max_in_flight() == 2);
}

TEST_CASE("crawl -c 3 keeps at most three requests in flight", "[crawl][polite]") {
    Recorder rec;
    TestServer server([&rec](http::Request&) { return rec.answer(50ms); });
    std::vector<std::string> args{"-c", "3"};
    for (auto& u : urls(server, 12)) args.push_back(u);
    CrawlResult r = run_crawl(args);
    REQUIRE(r.status == 0);
    REQUIRE(rec.max_in_flight() == 3);
}

TEST_CASE("crawl --delay spaces the request starts to one host", "[crawl][polite]") {
    Recorder rec;
    TestServer server([&rec](http::Request&) { return rec.answer(0ms); });
    std::vector<std::string> args{"-c", "10", "--delay", "0.1"};
    for (auto& u : urls(server, 4)) args.push_back(u);
    CrawlResult r = run_crawl(args);
    REQUIRE(r.status == 0);
    std::lock_guard<std::mutex> g(rec.mu);
    REQUIRE(rec.starts.size() == 4);
    for (size_t i = 1; i < rec.starts.size(); ++i) {
        REQUIRE(rec.starts[i] - rec.starts[i - 1] >= 90ms);  // a lower bound: never too soon
    }
}
