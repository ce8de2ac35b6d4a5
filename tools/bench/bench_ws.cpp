// The WebSocket group (issue 12): tools/wsserver against Python websockets (compression off)
// and Node ws echo servers, with ../shared/bench's C ws_echo_epoll as the ceiling, all driven
// by the yardstick's closed-loop loadclient -w: 1, 10 and 100 connections x 32 B and 16 KiB
// messages, msg/s and p99 per cell; then wsserver's RSS per idle connection at 10,000
// connections (loadclient -H). Servers on CPU 0, the load client on CPU 1. Target: >= 90% of
// the ceiling's msg/s in every cell, p99 <= 1.2x the ceiling's, < 16 KiB per idle connection.
#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "bench.hpp"
#include "peers.hpp"
#include "servers.hpp"

namespace bench {

namespace {

const char* kPythonEcho = R"PY(import asyncio, sys
import websockets

async def echo(ws, path=None):
    async for message in ws:
        await ws.send(message)

async def main():
    async with websockets.serve(echo, "127.0.0.1", int(sys.argv[1]), compression=None,
                                ping_interval=None, max_size=2**20):
        await asyncio.Future()

asyncio.run(main())
)PY";

const char* kNodeEcho = R"JS(const WebSocket = require("ws");
const wss = new WebSocket.Server({host: "127.0.0.1", port: Number(process.argv[2]),
                                  perMessageDeflate: false});
wss.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data, {binary: isBinary})));
)JS";

struct WsServer {
    std::string name;
    Spawn spawn;  // argv empty: not installed (why says so)
    std::string why;
    uint16_t port = 0;
    Background bg;
};

using Servers = std::array<WsServer, 4>;

std::vector<std::string> with_port(std::vector<std::string> argv, uint16_t port) {
    for (auto& a : argv)
        if (a == "PORT") a = std::to_string(port);
    return argv;
}

// The four servers, their argv with PORT standing for the port.
void describe(Servers& servers, const std::string& yard) {
    std::string dir = scratch_dir();
    servers[0].name = "corio wsserver";
    servers[0].spawn.argv = {bin_dir() + "/wsserver", "--port", "PORT", "--quiet"};
    if (access(servers[0].spawn.argv[0].c_str(), X_OK) != 0) servers[0].why = "wsserver not built";
    servers[1].name = "C ws_echo_epoll (ceiling)";
    servers[1].spawn.argv = {yard + "/ws_echo_epoll", "--port", "PORT"};
    servers[2].name = "python websockets";
    std::string py = python_with("websockets");
    if (py.empty()) {
        servers[2].why = "python3-websockets not installed";
    } else {
        write_file(dir + "/ws_echo.py", kPythonEcho);
        servers[2].spawn.argv = {py, dir + "/ws_echo.py", "PORT"};
    }
    servers[3].name = "node ws";
    std::string node = node_program();
    if (node.empty()) {
        servers[3].why = "node not installed";
    } else {
        write_file(dir + "/ws_echo.js", kNodeEcho);
        servers[3].spawn.argv = {node, dir + "/ws_echo.js", "PORT"};
        servers[3].spawn.env = {"NODE_PATH=/usr/share/nodejs"};
    }
    for (auto& s : servers) {
        s.spawn.cpu = kServerCpu;
        s.spawn.raise_nofile = true;
    }
}

Fields loadclient(const std::string& yard, uint16_t port, int conns, size_t size) {
    Spawn s{{yard + "/loadclient", "-w", "-p", std::to_string(port), "-c", std::to_string(conns),
             "-s", std::to_string(size), "-d", "1", "-W", "0.3"},
            kClientCpu};
    s.raise_nofile = true;
    return parse_fields(run_measured(s, 60).out);
}

void cell(Servers& servers, const std::string& yard, int conns, size_t size, Report& out) {
    std::string prefix =
        (size < 1024 ? std::to_string(size) + " B" : std::to_string(size / 1024) + " KiB") + " x " +
        std::to_string(conns) + ": ";
    std::vector<Fields> got(servers.size());
    for (size_t i = 0; i < servers.size(); ++i) {
        WsServer& s = servers[i];
        if (!s.why.empty()) {
            out.push_back(missing(prefix + s.name + " msg/s", s.why));
            continue;
        }
        got[i] = loadclient(yard, s.port, conns, size);
        if (num(got[i], "msgs_per_s") <= 0) {
            out.push_back(missing(prefix + s.name + " msg/s", "no echo measured"));
            continue;
        }
        out.push_back({prefix + s.name + " msg/s", num(got[i], "msgs_per_s"), "msg/s"});
        out.push_back({prefix + s.name + " p99", num(got[i], "p99_us"), "us"});
        if (num(got[i], "errors") > 0)
            out.push_back(
                {prefix + s.name + " load client errors", num(got[i], "errors"), "errors", "0"});
    }
    double corio = num(got[0], "msgs_per_s"), ceiling = num(got[1], "msgs_per_s");
    if (corio > 0 && ceiling > 0) {
        out.push_back({prefix + "wsserver / ceiling msg/s", corio / ceiling, "ratio", ">= 0.90"});
        double p99 = num(got[0], "p99_us"), cp99 = num(got[1], "p99_us");
        if (cp99 > 0)
            out.push_back({prefix + "wsserver p99 / ceiling p99", p99 / cp99, "ratio", "<= 1.2"});
    }
}

// wsserver's RSS before and while loadclient -w -H holds 10,000 idle connections.
void idle_rss(const WsServer& proto, const std::string& yard, Report& out) {
    const std::string name = "10,000 idle conns: wsserver RSS per connection";
    constexpr int kConns = 10000;
    if (!proto.why.empty()) {
        out.push_back(missing(name, proto.why));
        return;
    }
    Background bg;
    uint16_t port = free_port();
    Spawn s = proto.spawn;
    s.argv = with_port(s.argv, port);
    if (!bg.start(s, port)) {
        out.push_back(missing(name, "wsserver did not start"));
        return;
    }
    long before = bg.rss_kib();
    // loadclient prints READY when every connection is open and idle: measure then.
    Spawn load{{yard + "/loadclient", "-w", "-H", "-p", std::to_string(port), "-c",
                std::to_string(kConns), "-d", "1"},
               kClientCpu};
    load.raise_nofile = true;
    long during = -1;
    double held = 0;
    run_measured(load, 120, [&](const std::string& line) {
        if (line.rfind("READY", 0) != 0) return;
        during = bg.rss_kib();
        held = num(parse_fields(line), "held");
    });
    if (during < 0 || held <= 0) {
        out.push_back(missing(name, "connections not held"));
        return;
    }
    out.push_back({"10,000 idle conns: connections held", held, "conns", "10000"});
    out.push_back({name, (during - before) * 1024.0 / held, "bytes", "< 16384"});
}

void bench_ws(Report& out) {
    std::string yard = yardstick_dir();
    if (yard.empty()) {
        out.push_back(missing("ws: yardstick", "no ../shared/bench"));
        return;
    }
    // loadclient and the servers inherit this for 10,000 connections.
    rlimit rl{};
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);

    Servers servers;
    describe(servers, yard);
    for (auto& s : servers) {
        if (!s.why.empty()) continue;
        s.port = free_port();
        if (!s.bg.start({with_port(s.spawn.argv, s.port), s.spawn.cpu, s.spawn.env, true, true},
                        s.port))
            s.why = "did not start";
    }
    for (size_t size : {size_t(32), size_t(16384)}) {
        for (int conns : {1, 10, 100}) cell(servers, yard, conns, size, out);
    }
    for (auto& s : servers) s.bg.stop();
    idle_rss(servers[0], yard, out);
}

}  // namespace

CORIO_BENCH("ws: echo, wsserver vs websockets, ws and the C ceiling", bench_ws);

}  // namespace bench
