// The "Hello, World!" servers of the http, client and crawl groups, and the hidden subcommand
// that runs corio's own (so it is a process of its own, pinned and measured alone).
#include "servers.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <string>

#include "bench.hpp"
#include "corio/corio.hpp"
#include "corio/http/server.hpp"

namespace bench {

namespace {

corio::Coro<corio::http::Response> hello(std::chrono::milliseconds delay) {
    if (delay.count() > 0) co_await corio::sleep(delay);
    co_return corio::http::Response::text(200, kHello);
}

corio::Coro<int> serve_hello(uint16_t port, std::chrono::milliseconds delay) {
    auto handler = [delay](corio::http::Request&) { return hello(delay); };
    corio::Server server = co_await corio::http::serve(handler, "127.0.0.1", port);
    co_await server.serve_forever();  // until SIGTERM cancels the main task
    co_return 0;
}

// bench serve-hello PORT [DELAY_MS]
int serve_hello_command(const std::vector<std::string>& args) {
    if (args.empty() || args.size() > 2) {
        std::fprintf(stderr, "usage: bench serve-hello PORT [DELAY_MS]\n");
        return 2;
    }
    auto port = static_cast<uint16_t>(std::atoi(args[0].c_str()));
    std::chrono::milliseconds delay(args.size() > 1 ? std::atoi(args[1].c_str()) : 0);
    try {
        return corio::run(serve_hello(port, delay));
    } catch (const corio::CancelledError&) {
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "serve-hello: %s\n", e.what());
        return 1;
    }
}

CORIO_BENCH_COMMAND("serve-hello", serve_hello_command);

// One worker, no master, no logs, everything it writes kept in dir; keep-alive unbounded so
// the load generators never reconnect (corio's server does not close kept-alive connections).
std::string nginx_conf(const std::string& dir, uint16_t port) {
    std::string p = std::to_string(port);
    return "daemon off;\nmaster_process off;\nworker_processes 1;\nerror_log stderr;\n"
           "pid " +
           dir +
           "/nginx.pid;\n"
           "events { worker_connections 20000; }\n"
           "http {\n  access_log off;\n  keepalive_requests 100000000;\n"
           "  client_body_temp_path " +
           dir + "/body;\n  proxy_temp_path " + dir +
           "/proxy;\n"
           "  fastcgi_temp_path " +
           dir + "/fastcgi;\n  uwsgi_temp_path " + dir +
           "/uwsgi;\n"
           "  scgi_temp_path " +
           dir +
           "/scgi;\n"
           "  server {\n    listen 127.0.0.1:" +
           p +
           ";\n"
           "    location / { default_type text/plain; return 200 \"" +
           kHello +
           "\"; }\n"
           "  }\n}\n";
}

const char* kAiohttpHello = R"PY(import sys
from aiohttp import web

async def hello(request):
    return web.Response(text="Hello, World!")

app = web.Application()
app.router.add_get("/{tail:.*}", hello)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
)PY";

const char* kNodeHello = R"JS(require("http").createServer((req, res) => {
  res.writeHead(200, {"Content-Type": "text/plain"});
  res.end("Hello, World!");
}).listen(Number(process.argv[2]), "127.0.0.1");
)JS";

}  // namespace

const char* server_name(HelloServer s) {
    switch (s) {
        case HelloServer::corio:
            return "corio http::serve";
        case HelloServer::nginx:
            return "nginx (1 worker)";
        case HelloServer::aiohttp:
            return "aiohttp.web";
        case HelloServer::node:
            return "node http";
    }
    return "?";
}

std::string python_with(const std::string& module) {
    static std::map<std::string, bool> known;
    const std::string py = "/usr/bin/python3";
    auto [it, fresh] = known.try_emplace(module, false);
    if (fresh && access(py.c_str(), X_OK) == 0) {
        Measured m = run_measured({{py, "-c", "import " + module}}, 30);
        it->second = m.exit_code == 0;
    }
    return it->second ? py : "";
}

std::string node_program() { return find_program("node"); }

std::string source_root() {
    for (std::string base : {std::string("."), bin_dir() + "/../../.."}) {
        if (access((base + "/examples/seed_crawler.py").c_str(), R_OK) == 0) return base;
    }
    return ".";
}

std::string start_hello(HelloServer s, Background& bg, uint16_t port, int delay_ms) {
    Spawn spawn;
    spawn.cpu = kServerCpu;
    spawn.raise_nofile = true;
    std::string dir = scratch_dir();
    switch (s) {
        case HelloServer::corio:
            spawn.argv = {self_exe(), "serve-hello", std::to_string(port),
                          std::to_string(delay_ms)};
            break;
        case HelloServer::nginx: {
            std::string nginx = find_program("nginx");
            if (nginx.empty()) return "nginx not installed";
            std::string conf = dir + "/nginx-" + std::to_string(port) + ".conf";
            if (!write_file(conf, nginx_conf(dir, port))) return "cannot write nginx config";
            spawn.argv = {nginx, "-e", "stderr", "-p", dir, "-c", conf};
            break;
        }
        case HelloServer::aiohttp: {
            std::string py = python_with("aiohttp.web");
            if (py.empty()) return "python3-aiohttp not installed";
            std::string script = dir + "/aiohttp_hello.py";
            write_file(script, kAiohttpHello);
            spawn.argv = {py, script, std::to_string(port)};
            break;
        }
        case HelloServer::node: {
            std::string node = node_program();
            if (node.empty()) return "node not installed";
            std::string script = dir + "/node_hello.js";
            write_file(script, kNodeHello);
            spawn.argv = {node, script, std::to_string(port)};
            break;
        }
    }
    return bg.start(spawn, port) ? "" : std::string(server_name(s)) + " did not start";
}

}  // namespace bench
