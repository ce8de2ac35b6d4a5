// The TCP echo handler and a serve-on-N-threads runner, shared by the echo_server program and
// the TCP echo benchmark (tools/bench/bench_tcp_echo.cpp). Layer 7: a thin program over corio.
#pragma once

#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "corio/corio.hpp"

namespace echo {

// Echoes every byte back until the peer ends its stream. A peer that resets (load clients do,
// when they stop) ends the connection quietly.
inline corio::Coro<void> handle(corio::Stream s) {
    try {
        for (;;) {
            std::string data = co_await s.read();
            if (data.empty()) break;
            s.write(data);
            co_await s.drain();
        }
    } catch (const corio::ConnectionError&) {
    }
}

// Serves on host:port until the process ends; on_listening gets the port (the one picked when
// port is 0). With threads > 1, one loop per thread shares the port through SO_REUSEPORT.
template <class OnListening>
int serve(const std::string& host, uint16_t port, int threads, OnListening on_listening) {
    auto serve_one = [&](uint16_t p, bool announce) -> corio::Coro<void> {
        corio::ServerOptions opts;
        opts.reuse_port = threads > 1;
        opts.backlog = 4096;
        corio::Server server = co_await corio::start_server(handle, host, p, opts);
        if (announce) on_listening(server.port());
        co_await server.serve_forever();
    };
    if (threads <= 1) {
        corio::run(serve_one(port, true));
        return 0;
    }
    // The first loop picks the port; the others join it.
    uint16_t chosen = port;
    std::vector<std::thread> pool;
    if (chosen == 0) {
        // Bind once to learn a free port, keep that server, start the rest on its port.
        corio::Loop loop;
        corio::Server first = loop.run_until_complete([&]() -> corio::Coro<corio::Server> {
            corio::ServerOptions opts;
            opts.reuse_port = true;
            opts.backlog = 4096;
            co_return co_await corio::start_server(handle, host, 0, opts);
        }());
        chosen = first.port();
        for (int i = 1; i < threads; ++i) {
            pool.emplace_back([&] { corio::run(serve_one(chosen, false)); });
        }
        on_listening(chosen);
        loop.run_until_complete(first.serve_forever());
    } else {
        for (int i = 1; i < threads; ++i) {
            pool.emplace_back([&] { corio::run(serve_one(chosen, false)); });
        }
        corio::run(serve_one(chosen, true));
    }
    for (auto& t : pool) t.join();
    return 0;
}

}  // namespace echo
