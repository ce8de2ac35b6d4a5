// The seed's table made honest (issue 11): --requests URLs (1,000) at --concurrency (100)
// against a local server with 0 ms (nginx, one worker) and --latency-ms (50 ms, corio's
// http::serve sleeping) of server-side delay, crawled by tools/crawl, the seed's aiohttp
// program, the 100-thread crawler of examples/thread_crawler and curl --parallel, with wrk as
// the ceiling at 0 ms. Each crawler is its own process on CPU 1 (server on CPU 0): wall time
// from fork to exit (start-up included, as a user sees it), req/s from it, peak RSS from wait4.
// --huge adds a 1,000,000-URL list crawled by tools/crawl, for its peak RSS.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench.hpp"
#include "peers.hpp"
#include "servers.hpp"

namespace bench {

namespace {

struct Crawled {
    bool ok = false;        // it ran
    bool complete = false;  // it exited 0 with every request answered 200: its rate counts
    double seconds = 0;
    double rps = 0;
};

size_t count(const std::string& text, const std::string& needle) {
    size_t n = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
        ++n;
    return n;
}

// A URL list of n distinct pages (every server here answers any path).
std::string url_list(uint16_t port, size_t n, const std::string& tag) {
    std::string path = scratch_dir() + "/urls-" + tag + ".txt";
    std::string base = "http://127.0.0.1:" + std::to_string(port) + "/page/";
    std::string text;
    text.reserve(n * (base.size() + 8));
    for (size_t i = 0; i < n; ++i) text += base + std::to_string(i) + "\n";
    write_file(path, text);
    return path;
}

// curl's config: one url/output pair per URL, bodies to /dev/null.
std::string curl_config(const std::string& list_path, size_t n, uint16_t port) {
    std::string path = list_path + ".curl";
    std::string base = "http://127.0.0.1:" + std::to_string(port) + "/page/";
    std::string text;
    for (size_t i = 0; i < n; ++i)
        text += "url = \"" + base + std::to_string(i) + "\"\noutput = \"/dev/null\"\n";
    write_file(path, text);
    return path;
}

// Runs one crawler and adds its rows; ok_count turns its stdout into the requests answered 200.
template <class OkCount>
Crawled crawler_rows(const std::string& prefix, const std::string& name, const Spawn& spawn,
                     size_t n, OkCount ok_count, Report& out, const std::string& time_target = {},
                     const std::string& rss_target = {}) {
    Crawled c;
    if (spawn.argv.empty() || spawn.argv[0].empty()) {
        out.push_back(missing(prefix + name + " wall time", "not installed"));
        return c;
    }
    Measured m = run_measured(spawn, 300);
    if (!m.started) {
        out.push_back(missing(prefix + name + " wall time", "did not start"));
        return c;
    }
    c.ok = true;
    c.seconds = m.seconds;
    c.rps = n / m.seconds;
    out.push_back({prefix + name + " wall time", m.seconds * 1000, "ms", time_target});
    out.push_back({prefix + name + " req/s", c.rps, "req/s"});
    out.push_back({prefix + name + " peak RSS", m.peak_rss_kib / 1024.0, "MiB", rss_target});
    double ok = ok_count(m.out);
    if (ok < n) out.push_back({prefix + name + " failed requests", n - ok, "requests", "0"});
    c.complete = ok >= n && m.exit_code == 0;
    return c;
}

// The ceiling on the same job: wrk fetching n answers over c fresh connections, fork to exit
// like the crawlers. Its only way to stop after n is a Lua function called per answer, which
// costs it 5-10% of its steady rate here; it then exits with up to c - 1 requests in flight
// that a crawler would wait for, and asks for one path, not n.
Crawled wrk_same_job(const std::string& prefix, uint16_t port, size_t n, const std::string& cs,
                     Report& out) {
    std::string wrk_path = find_program("wrk");
    std::string script = scratch_dir() + "/wrk-stop-" + std::to_string(n) + ".lua";
    write_file(script,
               "local ok, all = 0, 0\n"
               "response = function(status, headers, body)\n"
               "  all = all + 1\n"
               "  if status == 200 then ok = ok + 1 end\n"
               "  if all >= " +
                   std::to_string(n) +
                   " then\n"
                   "    io.write('ok=', ok, '\\n')\n"
                   "    os.exit(ok == all and 0 or 1)\n"
                   "  end\n"
                   "end\n");
    Spawn wrk_job{{wrk_path, "-t1", "-c" + cs, "-d10", "-s", script,
                   "http://127.0.0.1:" + std::to_string(port) + "/page/0"},
                  kClientCpu};
    wrk_job.raise_nofile = true;
    if (wrk_path.empty()) wrk_job.argv.clear();
    return crawler_rows(
        prefix, "wrk (ceiling), the same " + std::to_string(n) + " requests", wrk_job, n,
        [](const std::string& s) {
            size_t at = s.find("ok=");
            return at == std::string::npos ? 0.0 : std::atof(s.c_str() + at + 3);
        },
        out);
}

void crawl_at(int delay_ms, Report& out) {
    const size_t n = static_cast<size_t>(settings().requests);
    const int c = settings().concurrency;
    const std::string prefix = std::to_string(delay_ms) + " ms: ";
    Background server;
    uint16_t port = free_port();
    // nginx is the fastest server at 0 ms; a delay needs corio's (nginx cannot sleep).
    HelloServer kind = HelloServer::corio;
    if (delay_ms == 0 && !find_program("nginx").empty()) kind = HelloServer::nginx;
    std::string why = start_hello(kind, server, port, delay_ms);
    if (!why.empty()) {
        out.push_back(missing(prefix + "server", why));
        return;
    }
    std::string list = url_list(port, n, std::to_string(delay_ms));
    std::string cs = std::to_string(c);
    auto json_ok = [](const std::string& s) { return json_num(s, "ok"); };

    std::string time_target;
    if (delay_ms > 0) {
        double bound = std::ceil(double(n) / c) * delay_ms;
        char buf[64];
        std::snprintf(buf, sizeof buf, "<= %.0f (bound %.0f +10%%)", bound * 1.1, bound);
        time_target = buf;
    }
    Spawn crawl{{bin_dir() + "/crawl", "-q", "-c", cs, "-i", list}, kClientCpu};
    if (access(crawl.argv[0].c_str(), X_OK) != 0) crawl.argv.clear();
    Crawled corio = crawler_rows(
        prefix, "corio crawl", crawl, n,
        [](const std::string& s) { return double(count(s, "\"status\":200")); }, out, time_target,
        "< 10");

    if (!crawl.argv.empty()) {
        // What the wall time above holds besides crawling: exec, start-up and exit of crawl.
        Spawn idle = crawl;
        idle.argv.back() = scratch_dir() + "/no-urls.txt";
        write_file(idle.argv.back(), "");
        Measured m = run_measured(idle, 30);
        out.push_back({prefix + "corio crawl start-up + exit, no URLs", m.seconds * 1000, "ms"});
    }

    std::string py = python_with("aiohttp");
    Spawn seed{{py, source_root() + "/examples/seed_crawler.py", list}, kClientCpu};
    if (py.empty()) seed.argv.clear();
    Crawled aiohttp = crawler_rows(prefix, "aiohttp (seed program)", seed, n, json_ok, out);

    Spawn threads{{bin_dir() + "/thread_crawler", "-t", cs, "-i", list}, kClientCpu};
    if (access(threads.argv[0].c_str(), X_OK) != 0) threads.argv.clear();
    crawler_rows(prefix, "thread_crawler (" + cs + " threads)", threads, n, json_ok, out);

    std::string curl = find_program("curl");
    Spawn curl_spawn{{curl, "-s", "--parallel", "--parallel-max", cs, "-K",
                      curl_config(list, n, port), "-w", "%{http_code}\\n"},
                     kClientCpu};
    if (curl.empty()) curl_spawn.argv.clear();
    crawler_rows(
        prefix, "curl --parallel", curl_spawn, n,
        [](const std::string& s) { return double(count(s, "200\n")); }, out);

    if (delay_ms > 0) return;
    Crawled same = wrk_same_job(prefix, port, n, cs, out);
    if (corio.complete && same.complete)
        out.push_back({prefix + "corio / wrk req/s, the same requests", corio.rps / same.rps,
                       "ratio", ">= 0.80"});

    // wrk's steady rate over 2 s, kept connections and a warm process: no crawl of a list
    // (which starts, connects and exits) gets near it at 1,000 URLs, wrk included (above).
    WrkResult wrk;
    if (!run_wrk(port, c, 2, wrk)) {
        out.push_back(missing(prefix + "wrk steady req/s (2 s)", "wrk not installed"));
        return;
    }
    out.push_back({prefix + "wrk steady req/s (2 s)", wrk.rps, "req/s"});
    if (corio.complete)
        out.push_back({prefix + "corio / wrk steady req/s", corio.rps / wrk.rps, "ratio"});
    if (corio.complete && aiohttp.complete)
        out.push_back({prefix + "corio / aiohttp req/s", corio.rps / aiohttp.rps, "ratio", ">= 5"});
}

void bench_crawl(Report& out) {
    crawl_at(0, out);
    crawl_at(settings().latency_ms, out);
}

// One row, opt-in (--huge): a million distinct URLs against nginx, to show tools/crawl's
// memory stays flat with the length of its input.
void bench_crawl_huge(Report& out) {
    const std::string name = "1,000,000 URLs: corio crawl peak RSS";
    if (!settings().huge) {
        out.push_back(missing(name, "opt-in: --huge"));
        return;
    }
    constexpr size_t kUrls = 1000000;
    Background server;
    uint16_t port = free_port();
    std::string why = start_hello(HelloServer::nginx, server, port);
    if (!why.empty()) why = start_hello(HelloServer::corio, server, port);
    if (!why.empty()) {
        out.push_back(missing(name, why));
        return;
    }
    std::string list = url_list(port, kUrls, "huge");
    Spawn crawl{{bin_dir() + "/crawl", "-q", "-c", std::to_string(settings().concurrency), "-o",
                 "/dev/null", "-i", list},
                kClientCpu};
    Measured m = run_measured(crawl, 1800);
    if (!m.started) {
        out.push_back(missing(name, "crawl not built"));
        return;
    }
    out.push_back({name, m.peak_rss_kib / 1024.0, "MiB", "< 10"});
    out.push_back({"1,000,000 URLs: corio crawl wall time", m.seconds, "s"});
    out.push_back({"1,000,000 URLs: corio crawl req/s", kUrls / m.seconds, "req/s"});
    out.push_back({"1,000,000 URLs: corio crawl exit status", double(m.exit_code), "code", "0"});
}

}  // namespace

CORIO_BENCH("crawl: --requests URLs at 0 ms and --latency-ms", bench_crawl);
CORIO_BENCH("crawl: 1,000,000 URLs (--huge)", bench_crawl_huge);

}  // namespace bench
