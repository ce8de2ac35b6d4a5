// `make demo`: the seed end to end on this machine. (1) its first program, two tasks sleeping
// together; (2) a local site crawled by corio's tools/crawl, by a thread-per-request crawler and
// by the seed's aiohttp program, each in its own process; (3) the seed's table with this run's
// figures; (4) the seed's WebSocket server answering ping and time. Everything it starts, it stops.
//   demo [--plot FILE.svg] [--pages N] [--latency-ms MS] [--concurrency N]
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "child.hpp"
#include "corio/corio.hpp"
#include "corio/ws/client.hpp"
#include "site.hpp"
#include "switches.hpp"
#include "table.hpp"

using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
    std::string plot;
    int pages = 1000;
    int latency_ms = 100;
    int concurrency = 100;
};

// --- 1. The seed's first program -------------------------------------------------------------

const Clock::time_point t0 = Clock::now();
double since_start() { return std::chrono::duration<double>(Clock::now() - t0).count(); }

corio::Coro<std::string> fetch_data(std::string what) {
    std::printf("    [%5.3f s] %s: started, sleeping 2 s\n", since_start(), what.c_str());
    co_await corio::sleep(2s);
    std::printf("    [%5.3f s] %s: done\n", since_start(), what.c_str());
    co_return what + " result";
}

corio::Coro<double> two_tasks() {
    auto start = Clock::now();
    auto a = corio::create_task(fetch_data("task A"));
    auto b = corio::create_task(fetch_data("task B"));
    std::string ra = co_await a;
    std::string rb = co_await b;
    co_return std::chrono::duration<double>(Clock::now() - start).count();
}

// --- 2. Crawlers -----------------------------------------------------------------------------

// Counts the JSON lines of crawl's output whose "error" is null.
int count_ok_lines(const std::string& out) {
    int ok = 0;
    size_t pos = 0;
    while (pos < out.size()) {
        size_t eol = out.find('\n', pos);
        std::string line = out.substr(pos, eol - pos);
        std::string squeezed;
        for (char c : line)
            if (c != ' ') squeezed += c;
        if (squeezed.find("\"error\":null") != std::string::npos) ++ok;
        if (eol == std::string::npos) break;
        pos = eol + 1;
    }
    return ok;
}

// Reads "ok": N from the one-line JSON summary thread_crawler and seed_crawler.py print.
int summary_ok(const std::string& out) {
    size_t at = out.find("\"ok\":");
    return at == std::string::npos ? 0 : std::atoi(out.c_str() + at + 5);
}

demo::Crawler measure(const std::string& name, const std::vector<std::string>& argv,
                      bool json_lines, int requests) {
    demo::Crawler c;
    c.name = name;
    c.requests = requests;
    demo::Measured m = demo::run_measured(argv, 120, false);
    if (!m.started) {
        c.why_not = argv[0] + " is not there";
        return c;
    }
    c.ok = json_lines ? count_ok_lines(m.out) : summary_ok(m.out);
    if (c.ok == 0 && m.exit_code != 0) {
        c.why_not = argv[0] + " exited " + std::to_string(m.exit_code);
        return c;
    }
    c.ran = true;
    c.seconds = m.seconds;
    c.peak_mib = m.peak_rss_kib / 1024.0;
    std::printf("    %-22s %6.2f s  %7.1f MiB peak  %d/%d ok\n", name.c_str(), c.seconds,
                c.peak_mib, c.ok, requests);
    std::fflush(stdout);
    return c;
}

std::string find_seed_crawler(const std::string& bin) {
    for (std::string p :
         {bin + "/../../../examples/seed_crawler.py", std::string("examples/seed_crawler.py")})
        if (access(p.c_str(), R_OK) == 0) return p;
    return {};
}

// --- 4. WebSocket ----------------------------------------------------------------------------

corio::Coro<int> talk(std::string url) {
    corio::ws::Connection ws = co_await corio::wait_for(corio::ws::connect(url), 5s);
    for (std::string ask : {"ping", "time"}) {
        co_await ws.send(ask);
        auto reply = co_await corio::wait_for(ws.recv(), 5s);
        std::printf("    sent \"%s\", got \"%s\"\n", ask.c_str(),
                    reply ? std::string(reply->text()).c_str() : "(closed)");
    }
    co_await ws.close();
    co_return 0;
}

bool parse_args(int argc, char** argv, Options& o) {
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
        const char* v = nullptr;
        if (a == "--plot" && (v = value()))
            o.plot = v;
        else if (a == "--pages" && (v = value()))
            o.pages = std::atoi(v);
        else if (a == "--latency-ms" && (v = value()))
            o.latency_ms = std::atoi(v);
        else if (a == "--concurrency" && (v = value()))
            o.concurrency = std::atoi(v);
        else
            return false;
    }
    return o.pages > 0 && o.concurrency > 0 && o.latency_ms >= 0;
}

}  // namespace

int main(int argc, char** argv) {
    Options opt;
    if (!parse_args(argc, argv, opt)) {
        std::fprintf(
            stderr,
            "usage: demo [--plot FILE.svg] [--pages N] [--latency-ms MS] [--concurrency N]\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    // The site is a fork of this process: made first, while no thread exists.
    demo::Site site = demo::start_site(opt.pages, std::chrono::milliseconds(opt.latency_ms));
    if (site.pid <= 0) {
        std::fprintf(stderr, "demo: the local site did not start\n");
        return 1;
    }
    demo::Background site_proc;
    site_proc.adopt(site.pid);
    const std::string bin = demo::exe_dir();
    demo::Figures fig;
    fig.machine = demo::describe_machine();
    fig.pages = opt.pages;
    fig.concurrency = opt.concurrency;
    fig.latency_ms = opt.latency_ms;

    std::printf("corio demo: the seed, end to end, on this machine (%s)\n\n", fig.machine.c_str());
    std::printf("1. Two tasks that each sleep 2 s, awaited one after the other:\n");
    std::fflush(stdout);
    double both = corio::run(two_tasks());
    std::printf("    both done in %.2f s: one sleep's time, not two\n\n", both);

    std::printf(
        "2. A local site (corio http::serve on 127.0.0.1:%u, its own process): %d pages,\n"
        "   %d ms of latency each, fetched %d at a time by three crawlers, each in its own "
        "process\n",
        site.port, opt.pages, opt.latency_ms, opt.concurrency);
    std::fflush(stdout);
    char list_path[] = "/tmp/corio-demo-urls-XXXXXX";
    int list_fd = mkstemp(list_path);
    {
        std::ofstream list(list_path);
        for (int i = 0; i < opt.pages; ++i)
            list << "http://127.0.0.1:" << site.port << "/page/" << i << "\n";
    }
    close(list_fd);
    std::string c = std::to_string(opt.concurrency);
    fig.crawlers.push_back(measure(
        "corio crawl", {bin + "/crawl", "-c", c, "--quiet", "-i", list_path}, true, opt.pages));
    fig.crawlers.push_back(measure("threads (" + c + ")",
                                   {bin + "/thread_crawler", "-t", c, "-i", list_path}, false,
                                   opt.pages));
    std::string seed = find_seed_crawler(bin);
    if (seed.empty()) {
        fig.crawlers.push_back({"aiohttp", false, "examples/seed_crawler.py not found"});
    } else {
        demo::Crawler py =
            measure("aiohttp", {"/usr/bin/python3", seed, list_path}, false, opt.pages);
        if (!py.ran) py.why_not = "python3-aiohttp is not installed (make deps installs it)";
        fig.crawlers.push_back(py);
    }
    unlink(list_path);
    site_proc.stop(SIGKILL);  // nothing to clean up: its only state is in memory

    std::printf("\n3. The seed's table, with this run's figures:\n\n");
    std::fflush(stdout);
    fig.coro_switch_ns = demo::coroutine_switch_ns();
    fig.thread_switch_ns = demo::thread_switch_ns();
    std::printf("%s\n", demo::draw_table(fig).c_str());
    if (!opt.plot.empty()) {
        std::ofstream svg(opt.plot);
        svg << demo::draw_svg(fig);
        std::printf("  (bar chart written to %s)\n\n", opt.plot.c_str());
    }

    std::printf("4. The seed's WebSocket server (tools/wsserver), asked by corio's client:\n");
    std::fflush(stdout);
    demo::Background ws;
    int rc = 0;
    if (!ws.start({bin + "/wsserver", "--host", "127.0.0.1", "--port", "0"})) {
        std::printf("    wsserver is not built\n");
        rc = 1;
    } else {
        std::string line = ws.stderr_line(5);
        size_t colon = line.rfind(':');
        if (colon == std::string::npos) {
            std::printf("    wsserver did not start: %s\n", line.c_str());
            rc = 1;
        } else {
            std::string url = "ws://127.0.0.1:" + line.substr(colon + 1) + "/";
            std::printf("    connected to %s\n", url.c_str());
            try {
                rc = corio::run(talk(url));
            } catch (const std::exception& e) {
                std::printf("    failed: %s\n", e.what());
                rc = 1;
            }
        }
        ws.stop();
    }
    for (const auto& cr : fig.crawlers)
        if (cr.ran && cr.ok != cr.requests && cr.name == "corio crawl") rc = 1;
    std::printf("\ndone%s\n", rc == 0 ? "" : " (with failures above)");
    return rc;
}
