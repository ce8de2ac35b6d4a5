// crawl's small parts: error strings from exceptions, backoff and Retry-After, input lines
// (URLs, comments, handoff JSON), the latency histogram and the summary text.
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <thread>

#include "../tools/crawl/failure.hpp"
#include "../tools/crawl/input.hpp"
#include "../tools/crawl/retry.hpp"
#include "../tools/crawl/stats.hpp"
#include "corio/connect.hpp"
#include "corio/dns.hpp"
#include "corio/http/errors.hpp"
#include "corio/stream.hpp"

namespace http = corio::http;

namespace {

template <class E, class... A>
crawl::Failure of(A... args) {
    return crawl::classify(std::make_exception_ptr(E(args...)));
}

}  // namespace

TEST_CASE("failures get the JSON line's short words", "[crawl][failure]") {
    REQUIRE(of<corio::TimeoutError>("connect timeout: x").kind == "timeout (connect)");
    REQUIRE(of<corio::TimeoutError>("read timeout: x sent nothing").kind == "timeout (read)");
    REQUIRE(of<corio::TimeoutError>("total timeout: 1 s").kind == "timeout (total)");
    REQUIRE(of<corio::TimeoutError>().kind == "timeout (total)");
    REQUIRE(of<corio::ConnectionRefusedError>("refused").kind == "refused");
    REQUIRE(of<corio::ConnectionResetError>("reset").kind == "reset");
    REQUIRE(of<corio::DnsError>("no such host", 1).kind == "dns");
    REQUIRE(of<http::TooManyRedirects>("x").kind == "too many redirects");
    REQUIRE(of<http::BodyTooLarge>("x").kind == "too large");
    REQUIRE(of<http::TlsUnavailable>("x").kind == "TLS not built in");
    REQUIRE(
        of<http::ProtocolError>("truncated response: the connection closed inside the body").kind ==
        "truncated body");
    REQUIRE(of<http::ProtocolError>("malformed response: bad status\nmore").kind ==
            "protocol error: malformed response: bad status");
    REQUIRE(of<http::UrlError>("x").kind == "invalid url");
    REQUIRE(of<std::runtime_error>(std::string(500, 'x')).kind.size() == 127);
    REQUIRE(of<corio::TimeoutError>().retryable);
    REQUIRE(of<corio::ConnectionRefusedError>("x").retryable);
    REQUIRE_FALSE(of<corio::DnsError>("x", 1).retryable);
    REQUIRE_FALSE(of<http::TooManyRedirects>("x").retryable);
    REQUIRE(crawl::retryable_status(429));
    REQUIRE(crawl::retryable_status(503));
    REQUIRE_FALSE(crawl::retryable_status(500));
}

TEST_CASE("backoff doubles with jitter, capped", "[crawl][retry]") {
    std::mt19937_64 rng(42);
    for (int i = 0; i < 100; ++i) {
        double b1 = crawl::backoff(1, rng).count(), b3 = crawl::backoff(3, rng).count();
        REQUIRE(b1 >= 0.25);
        REQUIRE(b1 < 0.5);
        REQUIRE(b3 >= 1.0);
        REQUIRE(b3 < 2.0);
        REQUIRE(crawl::backoff(30, rng) <= crawl::kMaxRetryWait);
    }
}

TEST_CASE("Retry-After takes seconds or an HTTP date, capped at 60 s", "[crawl][retry]") {
    std::time_t now = 1445412480;  // Wed, 21 Oct 2015 07:28:00 GMT
    using S = crawl::Seconds;
    REQUIRE(crawl::parse_retry_after("5", now) == S(5));
    REQUIRE(crawl::parse_retry_after(" 0 ", now) == S(0));
    REQUIRE(crawl::parse_retry_after("3600", now) == crawl::kMaxRetryWait);
    REQUIRE(crawl::parse_retry_after("99999999999999999999999", now) == crawl::kMaxRetryWait);
    REQUIRE(crawl::parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now) == S(30));
    REQUIRE(crawl::parse_retry_after("Wednesday, 21-Oct-15 07:28:10 GMT", now) == S(10));
    REQUIRE(crawl::parse_retry_after("Wed Oct 21 07:28:20 2015", now) == S(20));
    REQUIRE(crawl::parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now) == S(0));
    REQUIRE(crawl::parse_retry_after("Thu, 22 Oct 2015 07:28:00 GMT", now) == crawl::kMaxRetryWait);
    REQUIRE_FALSE(crawl::parse_retry_after("soon", now));
    REQUIRE_FALSE(crawl::parse_retry_after("-5", now));
    REQUIRE_FALSE(crawl::parse_retry_after("", now));
}

TEST_CASE("input lines: URLs, comments, blanks and handoff lines", "[crawl][input]") {
    REQUIRE_FALSE(crawl::parse_input_line(""));
    REQUIRE_FALSE(crawl::parse_input_line("   \t"));
    REQUIRE_FALSE(crawl::parse_input_line("# comment"));
    REQUIRE(crawl::parse_input_line("  http://a/ \r")->url == "http://a/");
    auto h = crawl::parse_input_line(
        R"({"url":"http://b/\"q\"\u00e9\/x","depth":2,"from":"http://a/"})");
    REQUIRE(h);
    REQUIRE(h->url == "http://b/\"q\"\xC3\xA9/x");
    REQUIRE(h->depth == 2);
    REQUIRE(crawl::parse_input_line(R"({"depth": 1, "url": "http://c/"})")->depth == 1);
    REQUIRE_FALSE(crawl::parse_input_line(R"({"depth":1})"));
    REQUIRE_FALSE(crawl::parse_input_line(R"({"url":"unterminated)"));
    REQUIRE(crawl::parse_input_line(R"({"url":"\ud83d\ude00"})")->url == "\xF0\x9F\x98\x80");
}

TEST_CASE("the line reader streams lines, with or without a final newline", "[crawl][input]") {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    std::string data = "a\r\nb\n\n" + std::string(2 << 20, 'x') + "\nc";
    std::thread writer([&] {
        size_t off = 0;
        while (off < data.size()) {
            ssize_t n = write(fds[1], data.data() + off, data.size() - off);
            if (n <= 0) break;
            off += static_cast<size_t>(n);
        }
        close(fds[1]);
    });
    crawl::LineReader reader(fds[0], true);
    std::atomic<bool> stop{false};
    std::vector<std::string> lines;
    while (auto l = reader.next(stop)) lines.push_back(*l);
    writer.join();
    // The 2 MiB line is over the 1 MiB limit and skipped whole.
    REQUIRE(lines == std::vector<std::string>{"a", "b", "", "c"});
}

TEST_CASE("the line reader stops on request while its input is quiet", "[crawl][input]") {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    crawl::LineReader reader(fds[0], true);
    std::atomic<bool> stop{true};
    REQUIRE_FALSE(reader.next(stop));
    close(fds[1]);
}

TEST_CASE("the latency histogram keeps percentiles within 1.6 %", "[crawl][stats]") {
    crawl::LatencyHistogram h;
    REQUIRE(h.quantile(0.5) == 0);
    for (uint64_t us = 1; us <= 100000; ++us) h.add(us);
    for (double q : {0.5, 0.95, 0.99}) {
        double exact = q * 100000, got = static_cast<double>(h.quantile(q));
        REQUIRE(std::abs(got - exact) / exact < 0.016);
    }
    for (size_t b = 1; b < 2000; ++b) {
        REQUIRE(crawl::LatencyHistogram::low(b) > crawl::LatencyHistogram::low(b - 1));
        REQUIRE(crawl::LatencyHistogram::bucket_of(crawl::LatencyHistogram::low(b)) == b);
        REQUIRE(crawl::LatencyHistogram::bucket_of(crawl::LatencyHistogram::low(b) - 1) == b - 1);
    }
}

TEST_CASE("the summary names counts, latency and errors by kind", "[crawl][stats]") {
    crawl::Stats a, b;
    a.urls = 3;
    a.requests = 3;
    a.ok = 2;
    a.bytes = 3 << 20;
    a.errors["refused"] = 1;
    a.status_classes[2] = 2;
    a.latency.add(1000);
    b.urls = 1;
    b.requests = 1;
    b.errors["refused"] = 1;
    a.merge(b);
    std::string text = crawl::summary_text(a, 2.0);
    REQUIRE(text.find("4 URLs, 4 requests, 2 ok, 2 failed, 3.0 MiB in 2.00 s (2 req/s)") !=
            std::string::npos);
    REQUIRE(text.find("p50 1.0 ms") != std::string::npos);
    REQUIRE(text.find("status 2xx 2") != std::string::npos);
    REQUIRE(text.find("errors: refused 2") != std::string::npos);
    REQUIRE(crawl::progress_text(5, 7, 2.5, 1, 2048) ==
            "crawl: 5 done, 7 queued, 2 req/s, 1 errors, 2.0 KiB");
}
