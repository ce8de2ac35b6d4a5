// The demo's local site: a fork of the demo running corio::http::serve. Every page waits the
// latency (a sleep, so the server itself never limits the crawlers) and links to two more.
#include "site.hpp"

#include <unistd.h>

#include <cstdio>
#include <string>

#include "corio/corio.hpp"
#include "corio/http/server.hpp"

namespace demo {

namespace {

corio::Coro<corio::http::Response> page(corio::http::Request& req, int pages,
                                        std::chrono::milliseconds latency) {
    co_await corio::sleep(latency);
    std::string_view path = req.path();
    const std::string_view prefix = "/page/";
    if (path.substr(0, prefix.size()) != prefix) co_return corio::http::Response::not_found();
    int n = std::atoi(std::string(path.substr(prefix.size())).c_str());
    if (n < 0 || n >= pages) co_return corio::http::Response::not_found();
    std::string body = "<!doctype html><title>page " + std::to_string(n) + "</title><p>page " +
                       std::to_string(n) + " of " + std::to_string(pages) + ".";
    for (int k : {2 * n + 1, 2 * n + 2})
        if (k < pages) body += " <a href=\"/page/" + std::to_string(k) + "\">next</a>";
    co_return corio::http::Response::text(200, std::move(body), "text/html");
}

corio::Coro<int> serve(int port_pipe, int pages, std::chrono::milliseconds latency) {
    auto handler = [pages, latency](corio::http::Request& req) {
        return page(req, pages, latency);
    };
    corio::Server server = co_await corio::http::serve(handler, "127.0.0.1", 0);
    uint16_t port = server.port();
    if (write(port_pipe, &port, sizeof port) != sizeof port) co_return 1;
    close(port_pipe);
    co_await server.serve_forever();  // until SIGTERM cancels the main task
    co_return 0;
}

}  // namespace

Site start_site(int pages, std::chrono::milliseconds latency) {
    int fds[2];
    Site site;
    if (pipe(fds) != 0) return site;
    std::fflush(nullptr);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        int rc = 1;
        try {
            rc = corio::run(serve(fds[1], pages, latency));
        } catch (const corio::CancelledError&) {
            rc = 0;
        } catch (const std::exception& e) {
            std::fprintf(stderr, "demo site: %s\n", e.what());
        }
        _exit(rc);
    }
    close(fds[1]);
    uint16_t port = 0;
    if (pid > 0 && read(fds[0], &port, sizeof port) == sizeof port) {
        site.pid = pid;
        site.port = port;
    }
    close(fds[0]);
    return site;
}

}  // namespace demo
