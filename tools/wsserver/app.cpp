// wsserver's handler and per-loop lifecycle (see app.hpp).
#include "app.hpp"

#include <time.h>

#include <chrono>
#include <cstdio>
#include <vector>

#include "corio/ws/server.hpp"

namespace wsserver {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kCloseTimeout = std::chrono::seconds(10);

// Keeps the connection in the worker's set while its handler runs.
struct Registered {
    Worker& w;
    corio::ws::Connection* c;
    Registered(Worker& w, corio::ws::Connection* c) : w(w), c(c) { w.connections.insert(c); }
    ~Registered() { w.connections.erase(c); }
};

corio::Coro<void> handle(Worker& w, corio::ws::Connection& c) {
    Registered reg(w, &c);
    const bool log = !w.options->quiet;
    auto started = Clock::now();
    if (log) std::fprintf(stderr, "wsserver: %s open %s\n", c.remote().c_str(), c.path().c_str());
    while (auto m = co_await c.recv()) {
        if (m->is_binary()) {
            co_await c.send_binary(m->data());
        } else if (m->text() == "ping") {
            co_await c.send("pong");
        } else if (m->text() == "time") {
            co_await c.send(now_iso8601());
        } else {
            co_await c.send(m->text());
        }
    }
    if (log) {
        double secs = std::chrono::duration<double>(Clock::now() - started).count();
        std::fprintf(stderr, "wsserver: %s closed code %u after %.3f s, %llu in, %llu out\n",
                     c.remote().c_str(), unsigned(c.close_code().value_or(1006)), secs,
                     static_cast<unsigned long long>(c.messages_in()),
                     static_cast<unsigned long long>(c.messages_out()));
    }
}

corio::Coro<void> settle(corio::Task<void> t) {
    try {
        co_await t;
    } catch (const corio::CancelledError&) {
        throw;
    } catch (const std::exception&) {
        // The connection was already gone: nothing left to close.
    }
}

}  // namespace

std::string now_iso8601() {
    auto now = std::chrono::system_clock::now();
    time_t secs = std::chrono::system_clock::to_time_t(now);
    int ms =
        int(std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
            1000);
    tm local{};
    localtime_r(&secs, &local);
    char date[32];
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &local);
    long off = local.tm_gmtoff;
    char sign = off < 0 ? '-' : '+';
    if (off < 0) off = -off;
    char out[64];
    std::snprintf(out, sizeof out, "%s.%03d%c%02ld:%02ld", date, ms, sign, off / 3600,
                  (off % 3600) / 60);
    return out;
}

std::shared_ptr<corio::tls::ServerContext> make_tls(const Options& o) {
    if (o.cert_file.empty()) return nullptr;
    try {
        return corio::tls::server_context({.cert_file = o.cert_file, .key_file = o.key_file});
    } catch (const corio::tls::TlsUnavailable&) {
        throw SetupError("--cert: this wsserver was built without TLS (make TLS=0)");
    } catch (const std::exception& e) {
        throw SetupError(std::string("cannot serve wss: ") + e.what());
    }
}

const std::string& demo_page() {
    static const std::string page = R"(<!doctype html>
<html><head><meta charset="utf-8"><title>wsserver</title></head>
<body>
<h1>wsserver</h1>
<p>This page talks to the server over a WebSocket: it sends "ping" and "time".</p>
<pre id="result">running</pre>
<script>
const out = document.getElementById('result');
const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/');
const got = [];
ws.onopen = () => ws.send('ping');
ws.onmessage = (e) => {
  got.push(e.data);
  if (got.length === 1) { ws.send('time'); return; }
  const t = new Date(got[1]);
  const ok = got[0] === 'pong' && !isNaN(t.getTime());
  out.textContent = 'ping:' + got[0] + ' time:' + got[1] + ' ' + (ok ? 'OK' : 'BAD');
  document.title = ok ? 'OK' : 'BAD';
  ws.close(1000, 'page done');
};
ws.onerror = () => { out.textContent = 'websocket error'; document.title = 'BAD'; };
</script>
</body></html>
)";
    return page;
}

corio::Coro<void> run_worker(Worker& w, uint16_t port, std::function<void(uint16_t)> on_listening) {
    const Options& o = *w.options;
    corio::ws::ServerOptions so;
    so.max_message_size = o.max_size;
    so.ping_interval = o.ping_interval;
    so.ping_timeout = o.ping_timeout;
    so.max_connections = o.max_connections;
    so.close_timeout = kCloseTimeout;
    so.reuse_port = o.threads > 1;
    so.page = demo_page();
    so.tls = w.tls;
    Worker* wp = &w;
    auto handler = [wp](corio::ws::Connection& c) { return handle(*wp, c); };
    corio::Server server = co_await corio::ws::serve(handler, o.host, port, so);
    on_listening(server.port());
    co_await w.stop.wait();

    server.close();
    std::vector<corio::Task<void>> closing;
    for (corio::ws::Connection* c : w.connections)
        closing.push_back(corio::create_task(c->close(1001, "server shutting down")));
    try {
        co_await corio::wait_for(server.wait_closed(), kCloseTimeout + std::chrono::seconds(1));
    } catch (const corio::TimeoutError&) {
        // Handlers still stuck after close_timeout: the process exits anyway.
    }
    for (auto& t : closing) co_await settle(t);
}

}  // namespace wsserver
