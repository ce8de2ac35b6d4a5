// One crawl from start to summary (see crawl.hpp). Threads: the caller's (supervisor loop),
// the input reader (blocking reads, poll-bounded so it notices a stop), and one per engine.
// Engines talk to each other only through Engine::post* and the atomics of Shared.
#include "crawl.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <optional>
#include <thread>

#include "corio/corio.hpp"
#include "corio/http/client.hpp"
#include "corio/http/url.hpp"
#include "engine.hpp"
#include "input.hpp"
#include "shard.hpp"
#include "shared.hpp"

namespace crawl {
namespace {

namespace http = corio::http;
using namespace std::chrono_literals;

// A crawl at -c 1000 holds that many sockets and more; the soft limit is often 1024.
void raise_fd_limit() {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

// Routes one start URL to the engine owning its host, waiting while that engine's backlog
// is full (so the input is read only as fast as the crawl drains it).
void feed(Shared& s, const StartUrl& start) {
    const Options& o = s.options;
    Incoming in;
    uint32_t t = 0;
    try {
        http::Url u = http::Url::parse(start.url);
        if (u.scheme() != "http" && u.scheme() != "https") throw http::UrlError("not http(s)");
        if (o.shard_count > 1 || o.threads > 1) {  // one shard and one loop: nothing to route
            std::string authority = u.authority();
            if (shard_of(authority, o.shard_count) != o.shard_index) return;  // another shard's
            t = thread_of(authority, o.shard_count, static_cast<uint32_t>(o.threads));
        }
        // The parsed URL travels with its text, so the engine does not parse it again.
        in.parsed = u.normalized();
        in.url = in.parsed.str();
        in.depth = start.depth;
        in.dedup = o.depth > 0;
    } catch (const http::UrlError&) {
        if (o.shard_index != 0) return;  // shard 0 alone reports lines that are not URLs
        in = Incoming{start.url, start.depth, true, false};
    }
    Engine& e = *s.engines[t];
    if (e.backlog() >= e.backlog_limit()) {
        std::unique_lock<std::mutex> lk(s.backlog_mu);
        while (e.backlog() >= e.backlog_limit() && !s.stop_input.load()) {
            s.backlog_cv.wait_for(lk, 5ms);
        }
    }
    if (s.stop_input.load()) return;
    s.outstanding.fetch_add(1);
    if (!e.post(std::move(in))) s.settle();
}

// The reader thread. Returns an error message, or "" when the input was read to its end
// (or a stop cut it short).
std::string read_input(Shared& s, std::optional<LineReader>& input) {
    std::string error;
    try {
        for (const std::string& url : s.options.urls) {
            if (s.stop_input.load()) break;
            feed(s, StartUrl{url, 0});
        }
        while (input && !s.stop_input.load()) {
            std::optional<std::string> line = input->next(s.stop_input);
            if (!line) break;
            if (auto start = parse_input_line(*line)) feed(s, *start);
        }
    } catch (const std::exception& e) {
        error = e.what();
    }
    s.end_input();
    return error;
}

class Progress {
public:
    Progress(const Shared& s, bool enabled) : s_(s), enabled_(enabled) {}
    void draw(double elapsed) {
        if (!enabled_) return;
        uint64_t done = s_.done.load(std::memory_order_relaxed);
        uint64_t queued = 0;
        for (const Engine* e : s_.engines) queued += e->backlog();
        std::string line = "\r" +
                           progress_text(done, queued, elapsed > 0 ? done / elapsed : 0,
                                         s_.errors.load(std::memory_order_relaxed),
                                         s_.bytes.load(std::memory_order_relaxed)) +
                           "\033[K";
        std::fputs(line.c_str(), stderr);
        std::fflush(stderr);
        drawn_ = true;
    }
    void clear() {
        if (drawn_) std::fputs("\r\033[K", stderr);
    }

private:
    const Shared& s_;
    bool enabled_;
    bool drawn_ = false;
};

// The supervisor: flushes output and redraws progress ten times a second until every engine
// thread has finished.
corio::Coro<void> supervise(Shared& s, std::atomic<int>& running, corio::Event& changed,
                            Progress& progress) {
    auto start = corio::Loop::current().time();
    for (;;) {
        changed.clear();
        if (running.load() == 0) break;
        s.out->flush();
        if (s.handoff) s.handoff->flush();
        std::chrono::duration<double> elapsed = corio::Loop::current().time() - start;
        progress.draw(elapsed.count());
        // A timer rather than wait_for: no TimeoutError thrown and caught ten times a second.
        corio::TimerHandle tick =
            corio::Loop::current().call_later(100ms, [&changed] { changed.set(); });
        co_await changed.wait();
        tick.cancel();
    }
}

}  // namespace

int run_crawl(const Options& o) {
    Shared shared(o);
    std::optional<LineReader> input;
    try {
        shared.out = o.output.empty() ? std::make_unique<Sink>(1, false)
                                      : std::make_unique<Sink>(Sink::open_file(o.output), true);
        if (!o.handoff.empty()) {
            shared.handoff = std::make_unique<Sink>(Sink::open_file(o.handoff), true);
        }
        if (!o.save_dir.empty()) prepare_save_dir(o.save_dir);
        if (!o.input.empty()) input.emplace(LineReader::open(o.input));
    } catch (const std::runtime_error& e) {
        throw SetupError(e.what());
    }
    raise_fd_limit();

    const auto threads = static_cast<size_t>(o.threads);
    const size_t per_engine = std::max<size_t>(1, (o.concurrency + threads - 1) / threads);
    std::vector<std::unique_ptr<Engine>> engines;
    for (size_t t = 0; t < threads; ++t) {
        engines.push_back(std::make_unique<Engine>(shared, static_cast<uint32_t>(t), per_engine));
        shared.engines.push_back(engines.back().get());
    }

    corio::Loop control;
    corio::Event changed;
    std::atomic<int> running{static_cast<int>(threads)};
    int signals = 0;
    auto on_signal = [&] {
        if (++signals == 1) {
            shared.interrupted.store(true);
            shared.stop_all();
            return;
        }
        // A second Ctrl-C: what is written stays written, nothing else waits.
        shared.out->flush();
        if (shared.handoff) shared.handoff->flush();
        std::_Exit(130);
    };
    control.add_signal_handler(SIGINT, on_signal);
    control.add_signal_handler(SIGTERM, on_signal);

    auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> workers;
    for (auto& e : engines) {
        workers.emplace_back([&control, &changed, &running, engine = e.get()] {
            {
                corio::Loop loop;
                loop.run_until_complete(engine->run());
            }
            running.fetch_sub(1);
            control.call_soon_threadsafe([&changed] { changed.set(); });
        });
    }
    std::string input_error;
    std::thread reader([&] { input_error = read_input(shared, input); });

    Progress progress(shared, o.progress && !o.quiet && isatty(2));
    control.run_until_complete(supervise(shared, running, changed, progress));
    for (auto& w : workers) w.join();
    reader.join();
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    shared.out->flush();
    if (shared.handoff) shared.handoff->flush();

    Stats total;
    for (auto& e : engines) total.merge(e->stats());
    progress.clear();
    if (!o.quiet) {
        std::string text = summary_text(total, wall);
        if (shared.interrupted.load()) text += "  interrupted: queued URLs were not fetched\n";
        if (o.max_pages && shared.halted.load() && !shared.interrupted.load()) {
            text += "  stopped at --max-pages " + std::to_string(o.max_pages) + "\n";
        }
        std::fputs(text.c_str(), stderr);
    }
    bool output_ok = shared.out->ok() && (!shared.handoff || shared.handoff->ok());
    if (!output_ok) std::fputs("crawl: writing the output failed\n", stderr);
    if (!input_error.empty()) std::fprintf(stderr, "crawl: %s\n", input_error.c_str());
    return total.failed() == 0 && output_ok && input_error.empty() ? 0 : 1;
}

}  // namespace crawl
