// crawl under Ctrl-C and under load: the first SIGINT lets running requests finish and writes
// their lines, "interrupted" lines for what was queued, and the summary; a second exits at
// once. And the timeout clock starts with the request, not in the queue.
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "corio/corio.hpp"
#include "crawl_support.hpp"

using namespace crawl_test;
using namespace std::chrono_literals;
namespace http = corio::http;

namespace {

corio::Coro<http::Response> slow_answer(std::chrono::milliseconds delay) {
    co_await corio::sleep(delay);
    co_return http::Response::text(200, "ok");
}

TestServer::Handler delayed(std::chrono::milliseconds delay) {
    return [delay](http::Request&) { return slow_answer(delay); };
}

std::string url_list(const TestServer& server, int n) {
    std::string list;
    for (int i = 0; i < n; ++i) list += server.url("/page?i=" + std::to_string(i)) + "\n";
    return list;
}

// Waits until the process has written at least one line to stdout (bounded).
void wait_for_first_line(const CrawlProcess& p) {
    for (int i = 0; i < 500 && p.out().find('\n') == std::string::npos; ++i) usleep(10000);
}

}  // namespace

TEST_CASE("crawl's first SIGINT finishes running requests and writes every line and a summary",
          "[crawl][signals]") {
    TestServer server(delayed(300ms));
    CrawlProcess p({"-c", "4", "-i", "-"}, url_list(server, 100));
    wait_for_first_line(p);
    p.signal(SIGINT);
    auto start = std::chrono::steady_clock::now();
    int status = p.wait(10s);
    auto took = std::chrono::steady_clock::now() - start;
    INFO(p.err());
    REQUIRE(status == 1);
    REQUIRE(took < 3s);  // the running requests take 300 ms at most
    std::set<std::string> urls;
    int finished = 0, interrupted = 0;
    for (auto& l : parse_json_lines(p.out())) {
        REQUIRE(urls.insert(l["url"]).second);
        if (l["error"] == "interrupted") {
            REQUIRE(l["status"] == "null");
            ++interrupted;
        } else {
            REQUIRE(l["error"] == "null");
            REQUIRE(l["status"] == "200");
            ++finished;
        }
    }
    REQUIRE(finished >= 4);
    REQUIRE(finished < 100);
    REQUIRE(interrupted > 0);
    REQUIRE(p.err().find("crawl: ") != std::string::npos);
    REQUIRE(p.err().find("interrupted") != std::string::npos);
}

TEST_CASE("crawl's second SIGINT exits at once", "[crawl][signals]") {
    TestServer server(delayed(2000ms));
    CrawlProcess p({"-c", "4", "-i", "-"}, url_list(server, 10));
    usleep(300000);
    p.signal(SIGINT);
    usleep(50000);
    p.signal(SIGINT);
    auto start = std::chrono::steady_clock::now();
    REQUIRE(p.wait(5s) == 130);
    REQUIRE(std::chrono::steady_clock::now() - start < 2s);
}

TEST_CASE("crawl's timeout clock starts with the request, not in the queue", "[crawl][timeout]") {
    // 1,000 URLs through 100 slots at 150 ms each take 1.5 s in all; with a 1 s timeout
    // counted from the queue most would fail.
    TestServer server(delayed(150ms));
    CrawlResult r =
        run_crawl({"-c", "100", "--timeout", "1", "-i", "-"}, url_list(server, 1000), 60s);
    INFO(r.err);
    REQUIRE(r.status == 0);
    auto lines = parse_json_lines(r.out);
    REQUIRE(lines.size() == 1000);
    for (auto& l : lines) REQUIRE(l["error"] == "null");
}
