// wsserver: the seed's WebSocket example made into a server for real clients (ping -> pong,
// time -> ISO 8601, anything else echoed). One event loop per --threads, sharing the port.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "app.hpp"

namespace {

using wsserver::Worker;

// SIGHUP with --cert: the certificate and key files are read again (a renewed certificate
// without a restart); on failure the old ones stay and the log says why.
void reload(corio::tls::ServerContext& tls) {
    try {
        tls.reload();
        std::fprintf(stderr, "wsserver: certificate reloaded\n");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "wsserver: certificate not reloaded, keeping the old one: %s\n",
                     e.what());
    }
}

corio::Coro<void> main_worker(std::vector<std::unique_ptr<Worker>>& workers,
                              std::vector<std::thread>& threads, int& signals,
                              std::shared_ptr<corio::tls::ServerContext> tls) {
    Worker& first = *workers[0];
    const wsserver::Options& o = *first.options;
    uint16_t port = o.port;
    bool started = false;
    auto on_listening = [&](uint16_t p) {
        port = p;
        // The other loops bind the port the first one got (it matters with --port 0).
        for (size_t i = 1; i < workers.size(); ++i) {
            std::promise<void> ready;
            std::future<void> bound = ready.get_future();
            Worker* w = workers[i].get();
            threads.emplace_back([w, p, ready = std::move(ready)]() mutable {
                corio::Loop loop;
                w->loop = &loop;
                auto up = [&ready](uint16_t) { ready.set_value(); };
                try {
                    loop.run_until_complete(wsserver::run_worker(*w, p, up));
                    loop.shutdown();  // lets the accept tasks finish their cancellation
                } catch (const std::exception& e) {
                    std::fprintf(stderr, "wsserver: loop failed: %s\n", e.what());
                    std::exit(1);
                }
            });
            bound.get();
        }
        if (first.tls) std::fprintf(stderr, "wsserver: wss (TLS) with %s\n", o.cert_file.c_str());
        std::fprintf(stderr, "wsserver: listening on %s:%u\n", o.host.c_str(), unsigned(p));
        started = true;
    };
    auto on_signal = [&workers, &signals](int sig) {
        if (++signals > 1) std::_Exit(128 + sig);
        std::fprintf(stderr, "wsserver: shutting down (again to exit at once)\n");
        for (auto& w : workers) {
            Worker* wp = w.get();
            wp->loop->call_soon_threadsafe([wp] { wp->stop.set(); });
        }
    };
    corio::Loop& loop = *first.loop;
    loop.add_signal_handler(SIGINT, [on_signal] { on_signal(SIGINT); });
    loop.add_signal_handler(SIGTERM, [on_signal] { on_signal(SIGTERM); });
    if (tls) loop.add_signal_handler(SIGHUP, [tls] { reload(*tls); });
    co_await wsserver::run_worker(first, port, on_listening);
    (void)started;
}

}  // namespace

int main(int argc, char** argv) {
    wsserver::Options options;
    try {
        options = wsserver::parse_options(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const wsserver::UsageError& e) {
        std::fprintf(stderr, "wsserver: %s\nTry 'wsserver --help'.\n", e.what());
        return 2;
    }
    if (options.help) {
        std::fputs(wsserver::usage(), stdout);
        return 0;
    }
    std::shared_ptr<corio::tls::ServerContext> tls;
    try {
        tls = wsserver::make_tls(options);
    } catch (const wsserver::SetupError& e) {
        std::fprintf(stderr, "wsserver: %s\n", e.what());
        return 2;
    }
    std::signal(SIGPIPE, SIG_IGN);
    std::vector<std::unique_ptr<Worker>> workers;
    for (unsigned i = 0; i < options.threads; ++i) {
        workers.push_back(std::make_unique<Worker>());
        workers.back()->options = &options;
        workers.back()->tls = tls;
    }
    std::vector<std::thread> threads;
    int signals = 0;
    int status = 0;
    {
        corio::Loop loop;
        workers[0]->loop = &loop;
        try {
            loop.run_until_complete(main_worker(workers, threads, signals, tls));
            loop.shutdown();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "wsserver: %s\n", e.what());
            status = 1;
        }
        for (auto& t : threads) t.join();
    }
    return status;
}
