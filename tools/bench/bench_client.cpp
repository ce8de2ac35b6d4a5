// The HTTP client group (issue 10): 10x --requests GETs (10,000 by default) at --concurrency
// (100) with http::ClientSession, in a process of its own (this binary's hidden `fetch URL N C`)
// on CPU 1, against nginx with one worker on CPU 0; beside wrk (the ceiling of any HTTP/1.1
// client here) and the seed's aiohttp program fetching the same URLs, same round. Requests/s
// from each client's own clock, peak RSS from wait4. Targets: >= 80% of wrk, >= 5x aiohttp,
// peak RSS under 10 MiB.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

#include "bench.hpp"
#include "corio/corio.hpp"
#include "corio/http/client.hpp"
#include "peers.hpp"
#include "servers.hpp"

namespace bench {

namespace {

struct Tally {
    size_t next = 0;  // index of the next request to start
    size_t ok = 0;
    size_t errors = 0;
    std::string first_error;  // reported on stderr: what went wrong, not only how often
};

// One of C workers: takes the next index until all n are started (a closed loop, as wrk).
corio::Coro<void> worker(corio::http::ClientSession& session, const corio::http::Url& url, size_t n,
                         Tally& tally) {
    while (tally.next < n) {
        ++tally.next;
        try {
            corio::http::Response r = co_await session.get(url);
            if (r.status == 200 && r.body == kHello) {
                ++tally.ok;
            } else {
                if (tally.errors++ == 0)
                    tally.first_error = "status " + std::to_string(r.status) + ", " +
                                        std::to_string(r.body.size()) + " bytes";
            }
        } catch (const std::exception& e) {
            if (tally.errors++ == 0) tally.first_error = e.what();
        }
    }
}

corio::Coro<double> fetch_all(std::string url, size_t n, size_t c, Tally& tally) {
    corio::http::ClientOptions options;
    options.limit = c;
    corio::http::ClientSession session(options);
    corio::http::Url parsed = corio::http::Url::parse(url);
    auto t0 = std::chrono::steady_clock::now();
    std::vector<corio::Coro<void>> workers;
    for (size_t i = 0; i < c; ++i) workers.push_back(worker(session, parsed, n, tally));
    co_await corio::gather(std::move(workers));
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    co_await session.close();
    co_return seconds;
}

// bench fetch URL N C: prints {"requests": N, "ok": K, "errors": E, "seconds": S}.
int fetch_command(const std::vector<std::string>& args) {
    if (args.size() != 3) {
        std::fprintf(stderr, "usage: bench fetch URL N CONCURRENCY\n");
        return 2;
    }
    size_t n = std::stoul(args[1]), c = std::max<size_t>(1, std::stoul(args[2]));
    Tally tally;
    double seconds = 0;
    try {
        seconds = corio::run(fetch_all(args[0], n, c, tally));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fetch: %s\n", e.what());
        return 1;
    }
    std::printf("{\"requests\": %zu, \"ok\": %zu, \"errors\": %zu, \"seconds\": %.4f}\n", n,
                tally.ok, tally.errors, seconds);
    if (tally.errors > 0)
        std::fprintf(stderr, "fetch: %zu errors, the first: %s\n", tally.errors,
                     tally.first_error.c_str());
    return tally.ok == n ? 0 : 1;
}

CORIO_BENCH_COMMAND("fetch", fetch_command);

struct ClientRun {
    bool ok = false;
    double rps = 0;
};

// A client printing the crawlers' JSON summary: rows for req/s (its own clock) and peak RSS.
ClientRun client_rows(const std::string& name, const Spawn& spawn, size_t n, Report& out,
                      const std::string& rss_target = {}) {
    Measured m = run_measured(spawn, 120);
    double ok = json_num(m.out, "ok"), seconds = json_num(m.out, "seconds");
    ClientRun r;
    if (!m.started || seconds <= 0) {
        out.push_back(
            missing(name + " req/s", "did not run (exit " + std::to_string(m.exit_code) + ")"));
        return r;
    }
    r.ok = true;
    r.rps = n / seconds;
    out.push_back({name + " req/s", r.rps, "req/s"});
    out.push_back({name + " peak RSS", m.peak_rss_kib / 1024.0, "MiB", rss_target});
    if (ok < n) out.push_back({name + " failed requests", n - ok, "requests", "0"});
    return r;
}

void bench_http_client(Report& out) {
    const size_t n = static_cast<size_t>(settings().requests) * 10;
    const int c = settings().concurrency;
    Background nginx;
    uint16_t port = free_port();
    std::string why = start_hello(HelloServer::nginx, nginx, port);
    if (!why.empty()) {
        out.push_back(missing("client: nginx server", why));
        return;
    }
    std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";
    WrkResult wrk;
    bool have_wrk = run_wrk(port, c, 3, wrk);
    if (have_wrk) {
        out.push_back({"wrk (ceiling) req/s", wrk.rps, "req/s"});
    } else {
        out.push_back(missing("wrk (ceiling) req/s", "wrk not installed"));
    }
    Spawn corio_spawn{{self_exe(), "fetch", url, std::to_string(n), std::to_string(c)}, kClientCpu};
    ClientRun corio = client_rows("corio ClientSession", corio_spawn, n, out, "< 10");

    ClientRun aiohttp;
    std::string py = python_with("aiohttp");
    if (py.empty()) {
        out.push_back(missing("aiohttp ClientSession req/s", "python3-aiohttp not installed"));
    } else {
        std::string list = scratch_dir() + "/client-urls.txt";
        std::string text;
        for (size_t i = 0; i < n; ++i) text += url + "\n";
        write_file(list, text);
        // The seed's program: gather over every URL, aiohttp's default 100 connections.
        Spawn s{{py, source_root() + "/examples/seed_crawler.py", list}, kClientCpu};
        aiohttp = client_rows("aiohttp ClientSession", s, n, out);
    }
    if (corio.ok && have_wrk)
        out.push_back({"corio / wrk req/s", corio.rps / wrk.rps, "ratio", ">= 0.80"});
    if (corio.ok && aiohttp.ok)
        out.push_back({"corio / aiohttp req/s", corio.rps / aiohttp.rps, "ratio", ">= 5"});
}

}  // namespace

CORIO_BENCH("http: client, GETs from nginx", bench_http_client);

}  // namespace bench
