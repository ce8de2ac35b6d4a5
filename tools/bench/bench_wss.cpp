// WebSocket echo over wss (TLS, issue 13) beside plain ws in the same run: wsserver and Node's
// ws, each once plain and once with a certificate, all driven by the same closed-loop load
// client (this binary's hidden `wss-load`, corio's ws::connect: the yardstick's loadclient has
// no TLS). 1, 10 and 100 connections x 32 B and 16 KiB; msg/s, p99, and the server's CPU time
// per message (its utime+stime over the measured second), whose wss / ws ratio is the TLS cost
// on the server whether or not the client is the bottleneck. Servers on CPU 0, client CPU 1.
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "bench.hpp"
#include "corio/corio.hpp"
#include "corio/ws/client.hpp"
#include "peers.hpp"
#include "servers.hpp"

namespace bench {

namespace {

using Clock = std::chrono::steady_clock;

const char* kNodeEcho = R"JS(const fs = require("fs");
const WebSocket = require("ws");
const [port, cert, key] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
const server = cert
  ? require("https").createServer({cert: fs.readFileSync(cert), key: fs.readFileSync(key)})
  : require("http").createServer();
const wss = new WebSocket.Server({server, perMessageDeflate: false});
wss.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data, {binary: isBinary})));
server.listen(port, "127.0.0.1");
)JS";

// ---- the load client (hidden subcommand) ----

struct LoadState {
    bool measuring = false;
    bool stop = false;
    uint64_t messages = 0;         // echoes received while measuring
    std::vector<uint32_t> lat_us;  // their round trips
    uint64_t errors = 0;
};

corio::Coro<void> one_connection(std::string url, std::string ca, size_t size, LoadState& st) {
    corio::ws::ConnectOptions o;
    o.ping_interval = std::chrono::milliseconds(0);
    o.system_trust = false;
    o.ca_file = ca;
    o.max_message_size = size + 1024;
    try {
        corio::ws::Connection c = co_await corio::ws::connect(url, std::move(o));
        std::string payload(size, 'x');
        while (!st.stop) {
            auto t0 = Clock::now();
            co_await c.send_binary(payload);
            std::optional<corio::ws::Message> m = co_await c.recv();
            if (!m || m->data().size() != size) {
                ++st.errors;
                co_return;
            }
            if (st.measuring) {
                ++st.messages;
                st.lat_us.push_back(static_cast<uint32_t>(
                    std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0)
                        .count()));
            }
        }
        co_await c.close();
    } catch (const std::exception& e) {
        ++st.errors;
        std::fprintf(stderr, "wss-load: %s\n", e.what());
    }
}

// Prints "START" when the warm-up is over and "STOP" when the measured time is, so the caller
// can sample the server's CPU time at both, then the summary as key=value words.
corio::Coro<int> load(std::string url, std::string ca, int conns, size_t size, double seconds) {
    LoadState st;
    std::vector<corio::Task<void>> tasks;
    for (int i = 0; i < conns; ++i)
        tasks.push_back(corio::create_task(one_connection(url, ca, size, st)));
    co_await corio::sleep(std::chrono::milliseconds(300));
    std::printf("START\n");
    std::fflush(stdout);
    st.measuring = true;
    auto t0 = Clock::now();
    co_await corio::sleep(std::chrono::duration<double>(seconds));
    st.measuring = false;
    double took = std::chrono::duration<double>(Clock::now() - t0).count();
    std::printf("STOP\n");
    std::fflush(stdout);
    st.stop = true;
    for (auto& t : tasks) co_await t;
    std::sort(st.lat_us.begin(), st.lat_us.end());
    double p99 = st.lat_us.empty() ? 0 : st.lat_us[st.lat_us.size() * 99 / 100];
    std::printf("msgs_per_s=%.0f p99_us=%.0f errors=%llu\n", double(st.messages) / took, p99,
                static_cast<unsigned long long>(st.errors));
    co_return 0;
}

// bench wss-load URL CONNS SIZE SECONDS CA_FILE
int load_command(const std::vector<std::string>& args) {
    if (args.size() != 5) {
        std::fprintf(stderr, "usage: bench wss-load URL CONNS SIZE SECONDS CA_FILE\n");
        return 2;
    }
    try {
        return corio::run(load(args[0], args[4], std::atoi(args[1].c_str()),
                               size_t(std::atol(args[2].c_str())), std::atof(args[3].c_str())));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "wss-load: %s\n", e.what());
        return 1;
    }
}

CORIO_BENCH_COMMAND("wss-load", load_command);

// ---- the group ----

struct EchoServer {
    std::string name;
    bool tls = false;
    Spawn spawn;
    std::string why;  // not empty: not measured, and why
    uint16_t port = 0;
    Background bg;
};

// utime + stime of pid in seconds; -1 when unknown.
double cpu_seconds(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t p = stat.rfind(')');
    if (p == std::string::npos) return -1;
    std::vector<std::string> f;
    std::string word;
    for (size_t i = p + 2; i <= stat.size(); ++i) {
        if (i == stat.size() || stat[i] == ' ') {
            f.push_back(word);
            word.clear();
        } else {
            word += stat[i];
        }
    }
    // Fields 14 and 15 of stat, counted from the state (field 3) at f[0].
    if (f.size() < 13) return -1;
    return double(std::atoll(f[11].c_str()) + std::atoll(f[12].c_str())) /
           double(sysconf(_SC_CLK_TCK));
}

// A certificate for 127.0.0.1 that is its own CA (the client trusts exactly it).
bool make_cert(const std::string& dir) {
    Measured m = run_measured(
        {{"/bin/sh", "-c",
          "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + dir +
              "/key.pem -out " + dir +
              "/cert.pem -days 2 -subj /CN=localhost -addext "
              "subjectAltName=DNS:localhost,IP:127.0.0.1 >/dev/null 2>&1"}},
        30);
    return m.exit_code == 0;
}

void describe(std::array<EchoServer, 4>& s, const std::string& dir) {
    std::string cert = dir + "/cert.pem", key = dir + "/key.pem";
    std::string wsserver = bin_dir() + "/wsserver";
    s[0].name = "wsserver ws";
    s[0].spawn.argv = {wsserver, "--port", "PORT", "--quiet"};
    s[1].name = "wsserver wss";
    s[1].tls = true;
    s[1].spawn.argv = s[0].spawn.argv;
    s[1].spawn.argv.insert(s[1].spawn.argv.end(), {"--cert", cert, "--key", key});
    if (access(wsserver.c_str(), X_OK) != 0) s[0].why = s[1].why = "wsserver not built";
    std::string node = node_program();
    write_file(dir + "/wss_echo.js", kNodeEcho);
    s[2].name = "node ws";
    s[2].spawn.argv = {node, dir + "/wss_echo.js", "PORT"};
    s[3].name = "node ws over TLS";
    s[3].tls = true;
    s[3].spawn.argv = {node, dir + "/wss_echo.js", "PORT", cert, key};
    for (int i : {2, 3}) {
        s[size_t(i)].spawn.env = {"NODE_PATH=/usr/share/nodejs"};
        if (node.empty()) s[size_t(i)].why = "node not installed";
    }
    for (auto& e : s) {
        e.spawn.cpu = kServerCpu;
        e.spawn.raise_nofile = true;
    }
}

struct CellResult {
    double rate = 0, p99 = 0, cpu_us = 0;  // cpu_us: server CPU microseconds per message
};

CellResult measure(EchoServer& s, const std::string& ca, int conns, size_t size, Report& out,
                   const std::string& prefix) {
    std::string url =
        std::string(s.tls ? "wss" : "ws") + "://127.0.0.1:" + std::to_string(s.port) + "/";
    Spawn load{{self_exe(), "wss-load", url, std::to_string(conns), std::to_string(size), "1", ca},
               kClientCpu};
    load.raise_nofile = true;
    double cpu0 = -1, cpu1 = -1;
    Measured m = run_measured(load, 60, [&](const std::string& line) {
        if (line == "START") cpu0 = cpu_seconds(s.bg.pid());
        if (line == "STOP") cpu1 = cpu_seconds(s.bg.pid());
    });
    Fields f = parse_fields(m.out);
    CellResult r{num(f, "msgs_per_s"), num(f, "p99_us"), 0};
    if (r.rate <= 0) {
        out.push_back(missing(prefix + s.name + " msg/s", "no echo measured"));
        return {};
    }
    if (cpu0 >= 0 && cpu1 >= cpu0) r.cpu_us = (cpu1 - cpu0) * 1e6 / r.rate;
    out.push_back({prefix + s.name + " msg/s", r.rate, "msg/s"});
    out.push_back({prefix + s.name + " p99", r.p99, "us"});
    out.push_back({prefix + s.name + " server CPU per msg", r.cpu_us, "us"});
    if (num(f, "errors") > 0)
        out.push_back({prefix + s.name + " load client errors", num(f, "errors"), "errors", "0"});
    return r;
}

void bench_wss(Report& out) {
    std::string dir = scratch_dir();
    if (!make_cert(dir)) {
        out.push_back(missing("wss: certificate", "openssl req failed"));
        return;
    }
    std::array<EchoServer, 4> servers;
    describe(servers, dir);
    for (auto& s : servers) {
        if (!s.why.empty()) continue;
        s.port = free_port();
        Spawn sp = s.spawn;
        for (auto& a : sp.argv)
            if (a == "PORT") a = std::to_string(s.port);
        if (!s.bg.start(sp, s.port)) s.why = "did not start";
    }
    for (size_t size : {size_t(32), size_t(16384)}) {
        for (int conns : {1, 10, 100}) {
            std::string prefix =
                (size < 1024 ? std::to_string(size) + " B" : std::to_string(size / 1024) + " KiB") +
                " x " + std::to_string(conns) + ": ";
            std::array<CellResult, 4> got{};
            for (size_t i = 0; i < servers.size(); ++i) {
                if (!servers[i].why.empty()) {
                    out.push_back(missing(prefix + servers[i].name + " msg/s", servers[i].why));
                    continue;
                }
                got[i] = measure(servers[i], dir + "/cert.pem", conns, size, out, prefix);
            }
            // The TLS cost, each server against itself: throughput kept, CPU per message paid.
            for (size_t i : {size_t(0), size_t(2)}) {
                const char* who = i == 0 ? "wsserver" : "node ws";
                if (got[i].rate > 0 && got[i + 1].rate > 0)
                    out.push_back(
                        {prefix + who + " wss/ws msg/s", got[i + 1].rate / got[i].rate, "ratio"});
                if (got[i].cpu_us > 0 && got[i + 1].cpu_us > 0)
                    out.push_back({prefix + who + " wss/ws CPU per msg",
                                   got[i + 1].cpu_us / got[i].cpu_us, "ratio"});
            }
        }
    }
    for (auto& s : servers) s.bg.stop();
}

}  // namespace

CORIO_BENCH("ws: echo over wss (TLS) beside plain ws, wsserver and node ws", bench_wss);

}  // namespace bench
