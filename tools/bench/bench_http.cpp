// The HTTP server group (issue 10): `wrk -t1 -c100 -d5 --latency` against corio's http::serve
// answering 13 bytes of "Hello, World!", beside nginx with one worker answering the same from
// its config, and aiohttp.web and Node's http for context, all in one round. Servers are pinned
// to CPU 0, wrk to CPU 1. Targets: corio's req/s at least nginx's, p99 at most 1.2x nginx's.
#include <cmath>
#include <string>

#include "bench.hpp"
#include "peers.hpp"
#include "servers.hpp"

namespace bench {

namespace {

constexpr int kWrkSeconds = 5;

struct Served {
    bool ok = false;
    WrkResult wrk;
};

Served measure(HelloServer s, Report& out) {
    std::string name = server_name(s);
    Background bg;
    uint16_t port = free_port();
    std::string why = start_hello(s, bg, port);
    Served r;
    if (!why.empty()) {
        out.push_back(missing(name + " req/s", why));
        return r;
    }
    if (!run_wrk(port, settings().concurrency, kWrkSeconds, r.wrk)) {
        out.push_back(missing(name + " req/s", "wrk not installed or failed"));
        return r;
    }
    r.ok = true;
    out.push_back({name + " req/s", r.wrk.rps, "req/s"});
    out.push_back({name + " p99", r.wrk.p99_us, "us"});
    if (r.wrk.errors > 0) out.push_back({name + " errors (wrk)", r.wrk.errors, "errors", "0"});
    return r;
}

void bench_http_server(Report& out) {
    Served corio = measure(HelloServer::corio, out);
    Served nginx = measure(HelloServer::nginx, out);
    measure(HelloServer::aiohttp, out);
    measure(HelloServer::node, out);
    if (corio.ok && nginx.ok) {
        out.push_back({"corio / nginx req/s", corio.wrk.rps / nginx.wrk.rps, "ratio", ">= 1.0"});
        out.push_back({"corio p99 / nginx p99",
                       nginx.wrk.p99_us > 0 ? corio.wrk.p99_us / nginx.wrk.p99_us : NAN, "ratio",
                       "<= 1.2"});
    }
}

}  // namespace

CORIO_BENCH("http: server, wrk -t1 -d5 on Hello World", bench_http_server);

}  // namespace bench
