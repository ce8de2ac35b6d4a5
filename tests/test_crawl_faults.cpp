// crawl against misbehaving servers: each bad URL gets one JSON line naming what went wrong
// (truncated body, reset, timeouts, redirect loop, refused, too large), the others still
// succeed, the run ends with exit code 1 and nothing hangs. Also retries on 503/Retry-After.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <thread>

#include "corio/http/files.hpp"
#include "crawl_support.hpp"
#include "net_support.hpp"

using namespace crawl_test;
using namespace std::chrono_literals;

namespace {

// A blocking HTTP/1.1 server on a thread that misbehaves on purpose, by path. One thread per
// connection; every wait is bounded and ends when the server is destroyed.
class RawServer {
public:
    RawServer() {
        fd_ = corio_test::raw_listen(port_, 64);
        accept_thread_ = std::thread([this] { accept_loop(); });
    }
    ~RawServer() {
        stop_ = true;
        accept_thread_.join();
        std::lock_guard<std::mutex> g(mu_);
        for (auto& t : conns_) t.join();
        close(fd_);
    }
    std::string url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(port_) + path;
    }
    int hits(const std::string& path) {
        std::lock_guard<std::mutex> g(mu_);
        return static_cast<int>(std::count(paths_.begin(), paths_.end(), path));
    }

private:
    void accept_loop() {
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (poll(&p, 1, 20) <= 0) continue;
            int c = accept(fd_, nullptr, nullptr);
            if (c < 0) continue;
            std::lock_guard<std::mutex> g(mu_);
            conns_.emplace_back([this, c] { serve(c); });
        }
    }

    void pause(std::chrono::milliseconds d) {
        auto end = std::chrono::steady_clock::now() + d;
        while (!stop_ && std::chrono::steady_clock::now() < end) usleep(5000);
    }

    void serve(int c) {
        std::string req;
        char buf[4096];
        while (req.find("\r\n\r\n") == std::string::npos) {
            pollfd p{c, POLLIN, 0};
            if (stop_ || poll(&p, 1, 20) < 0) break;
            if (!(p.revents & POLLIN)) continue;
            ssize_t n = recv(c, buf, sizeof buf, 0);
            if (n <= 0) break;
            req.append(buf, static_cast<size_t>(n));
        }
        size_t sp = req.find(' '), sp2 = req.find(' ', sp + 1);
        std::string path = sp == std::string::npos ? "" : req.substr(sp + 1, sp2 - sp - 1);
        int n;
        {
            std::lock_guard<std::mutex> g(mu_);
            paths_.push_back(path);
            n = static_cast<int>(std::count(paths_.begin(), paths_.end(), path));
        }
        auto send = [&](const std::string& s) { corio_test::raw_send_all(c, s); };
        if (path == "/truncated") {
            send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nContent-Type: text/html\r\n\r\nshort");
        } else if (path == "/reset") {
            corio_test::raw_reset(c);
            return;
        } else if (path == "/slow") {
            send("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nsome");
            pause(3000ms);
        } else if (path == "/loop") {
            send("HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\n\r\n");
            pause(100ms);
        } else if (path == "/busy" && n == 1) {
            send(
                "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 0\r\nContent-Length: 0\r\n"
                "Connection: close\r\n\r\n");
        } else if (path == "/limited" && n <= 2) {
            send(
                "HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        } else {
            send(
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n"
                "Connection: close\r\n\r\nok");
        }
        close(c);
    }

    uint16_t port_ = 0;
    int fd_ = -1;
    std::atomic<bool> stop_{false};
    std::thread accept_thread_;
    std::mutex mu_;
    std::vector<std::thread> conns_;
    std::vector<std::string> paths_;
};

std::map<std::string, JsonLine> by_url(const std::string& out) {
    std::map<std::string, JsonLine> m;
    for (auto& l : parse_json_lines(out)) {
        REQUIRE(m.count(l["url"]) == 0);
        m[l["url"]] = l;
    }
    return m;
}

}  // namespace

TEST_CASE("crawl gives each failing URL one line with its error and goes on", "[crawl][faults]") {
    RawServer bad;
    corio_test::StalledListener stalled;
    uint16_t refused = free_port();
    std::string stalled_url = "http://127.0.0.1:" + std::to_string(stalled.port) + "/";
    std::string refused_url = "http://127.0.0.1:" + std::to_string(refused) + "/";
    auto start = std::chrono::steady_clock::now();
    CrawlResult r =
        run_crawl({"--retries", "0", "--timeout", "1", "--connect-timeout", "0.5",
                   "--max-redirects", "5", bad.url("/truncated"), bad.url("/reset"),
                   bad.url("/slow"), bad.url("/loop"), bad.url("/fine"), refused_url, stalled_url});
    auto took = std::chrono::steady_clock::now() - start;
    INFO(r.out << r.err);
    REQUIRE(r.status == 1);
    REQUIRE(took < 10s);  // nothing hangs: the slowest case is the 1 s total timeout
    auto m = by_url(r.out);
    REQUIRE(m.size() == 7);
    REQUIRE(m[bad.url("/truncated")]["error"] == "truncated body");
    REQUIRE(m[bad.url("/reset")]["error"] == "reset");
    REQUIRE(m[bad.url("/slow")]["error"] == "timeout (total)");
    REQUIRE(m[bad.url("/loop")]["error"] == "too many redirects");
    REQUIRE(m[bad.url("/fine")]["error"] == "null");
    REQUIRE(m[bad.url("/fine")]["status"] == "200");
    REQUIRE(m[refused_url]["error"] == "refused");
    REQUIRE(m[stalled_url]["error"] == "timeout (connect)");
    REQUIRE(r.err.find("7 URLs, 7 requests, 1 ok, 6 failed") != std::string::npos);
}

TEST_CASE("crawl names the read timeout and a body over --max-body-size", "[crawl][faults]") {
    RawServer bad;
    CrawlResult r =
        run_crawl({"--retries", "0", "--read-timeout", "0.3", "--timeout", "5", bad.url("/slow")});
    REQUIRE(r.status == 1);
    REQUIRE(parse_json_lines(r.out).at(0)["error"] == "timeout (read)");
    CrawlResult big = run_crawl({"--max-body-size", "1", bad.url("/fine")});
    REQUIRE(big.status == 1);
    REQUIRE(parse_json_lines(big.out).at(0)["error"] == "too large");
}

TEST_CASE("crawl retries 503 and 429 and counts the retries", "[crawl][faults]") {
    RawServer bad;
    CrawlResult r = run_crawl({"--retries", "2", bad.url("/busy"), bad.url("/limited")});
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
    auto m = by_url(r.out);
    REQUIRE(m[bad.url("/busy")]["status"] == "200");
    REQUIRE(m[bad.url("/busy")]["retries"] == "1");
    REQUIRE(m[bad.url("/limited")]["status"] == "200");
    REQUIRE(m[bad.url("/limited")]["retries"] == "2");
    REQUIRE(bad.hits("/busy") == 2);
    REQUIRE(bad.hits("/limited") == 3);

    RawServer fresh;
    CrawlResult none = run_crawl({"--retries", "0", fresh.url("/limited")});
    REQUIRE(none.status == 0);  // a 429 is an HTTP status, not a failed fetch
    REQUIRE(parse_json_lines(none.out).at(0)["status"] == "429");
}

TEST_CASE("crawl retries a refused connection, then reports it", "[crawl][faults]") {
    uint16_t refused = free_port();
    std::string url = "http://127.0.0.1:" + std::to_string(refused) + "/";
    CrawlResult r = run_crawl({"--retries", "1", url});
    REQUIRE(r.status == 1);
    auto l = parse_json_lines(r.out).at(0);
    REQUIRE(l["error"] == "refused");
    REQUIRE(l["retries"] == "1");
}
