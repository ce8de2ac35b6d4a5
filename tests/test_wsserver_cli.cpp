// wsserver as users run it: --help, usage errors (exit 2), the flags, the log lines, several
// loops on one port, and SIGINT/SIGTERM closing every client with 1001 (a second one exits at
// once). Parts of the program (option parsing, the time format) are tested directly too.
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <regex>
#include <thread>

#include "../tools/wsserver/app.hpp"
#include "../tools/wsserver/options.hpp"
#include "net_support.hpp"
#include "ws_support.hpp"
#include "wsserver_support.hpp"

using namespace std::chrono_literals;
using corio_test::RunResult;
using corio_test::WsServerProcess;

TEST_CASE("wsserver --help prints the usage and exits 0", "[wsserver][cli]") {
    RunResult r = corio_test::run_program({corio_test::wsserver_binary(), "--help"}, 10s);
    REQUIRE(r.status == 0);
    REQUIRE_THAT(r.output, Catch::Contains("usage: wsserver"));
    REQUIRE_THAT(r.output, Catch::Contains("--ping-interval"));
    REQUIRE_THAT(r.output, Catch::Contains("--threads"));
}

TEST_CASE("wsserver rejects bad command lines with a message and exit code 2", "[wsserver][cli]") {
    std::vector<std::vector<std::string>> bad = {
        {"--bogus"},      {"--port", "70000"},        {"--port"},          {"--threads", "0"},
        {"--port", "8x"}, {"--ping-interval", "abc"}, {"--max-size", "0"}, {"extra"},
        {"--quiet=yes"},  {"--ping-timeout", "-1"},
    };
    for (auto& args : bad) {
        std::vector<std::string> argv{corio_test::wsserver_binary()};
        argv.insert(argv.end(), args.begin(), args.end());
        RunResult r = corio_test::run_program(argv, 10s);
        INFO(args[0]);
        REQUIRE(r.status == 2);
        REQUIRE_THAT(r.output, Catch::Contains("wsserver: "));
        REQUIRE_THAT(r.output, Catch::Contains("--help"));
    }
}

TEST_CASE("wsserver's flags parse in both spellings", "[wsserver][cli]") {
    wsserver::Options o = wsserver::parse_options(
        {"--host", "::1", "--port=0", "--max-size", "1000", "--ping-interval", "0.5",
         "--ping-timeout=2", "--max-connections", "7", "--threads", "3", "--quiet"});
    REQUIRE(o.host == "::1");
    REQUIRE(o.port == 0);
    REQUIRE(o.max_size == 1000);
    REQUIRE(o.ping_interval == 500ms);
    REQUIRE(o.ping_timeout == 2s);
    REQUIRE(o.max_connections == 7);
    REQUIRE(o.threads == 3);
    REQUIRE(o.quiet);
    wsserver::Options d = wsserver::parse_options({});
    REQUIRE(d.host == "127.0.0.1");
    REQUIRE(d.port == 8765);
    REQUIRE(d.ping_interval == 20s);
    REQUIRE(d.threads == 1);
    REQUIRE_THROWS_AS(wsserver::parse_options({"--port", "-1"}), wsserver::UsageError);
}

TEST_CASE("time is ISO 8601 with milliseconds and the UTC offset", "[wsserver]") {
    std::string t = wsserver::now_iso8601();
    std::regex iso(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d)");
    REQUIRE(std::regex_match(t, iso));
}

namespace {
// A raw client: handshake, one message, its answer.
std::string ask(uint16_t port, const std::string& text) {
    int fd = corio_test::ws_raw_open(port);
    if (fd < 0) return "<no handshake>";
    corio_test::raw_send_all(fd, corio_test::ws_frame(1, text));
    corio_test::RawFrame f = corio_test::ws_read_frame(fd, 5s);
    corio_test::raw_send_all(fd, corio_test::ws_frame(8, corio_test::ws_close_payload(1000)));
    corio_test::ws_read_close_code(fd, 5s);
    close(fd);
    return f.payload;
}
}  // namespace

TEST_CASE("wsserver logs one line per connection opened and closed, none with --quiet",
          "[wsserver][cli]") {
    WsServerProcess server({"--port", "0"});
    REQUIRE(server.port() != 0);
    REQUIRE_THAT(server.log(), Catch::Contains("wsserver: listening on 127.0.0.1:"));
    REQUIRE(ask(server.port(), "ping") == "pong");
    std::string log;
    for (int i = 0; i < 200 && log.find("closed") == std::string::npos; ++i) {
        std::this_thread::sleep_for(10ms);
        log = server.log();
    }
    REQUIRE(std::regex_search(log, std::regex(R"(127\.0\.0\.1:\d+ open /)")));
    REQUIRE(std::regex_search(
        log, std::regex(R"(127\.0\.0\.1:\d+ closed code 1000 after \d+\.\d{3} s, 1 in, 1 out)")));

    WsServerProcess quiet({"--port", "0", "--quiet"});
    REQUIRE(ask(quiet.port(), "echo me") == "echo me");
    std::this_thread::sleep_for(50ms);
    REQUIRE_THAT(quiet.log(), !Catch::Contains(" open "));
    REQUIRE_THAT(quiet.log(), !Catch::Contains("closed"));
}

TEST_CASE("wsserver --threads 4 serves clients from several loops on one port", "[wsserver][cli]") {
    WsServerProcess server({"--port", "0", "--threads", "4", "--quiet"});
    REQUIRE(server.port() != 0);
    std::vector<std::thread> clients;
    std::atomic<int> ok{0};
    for (int i = 0; i < 16; ++i)
        clients.emplace_back([&, i] {
            if (ask(server.port(), "hello " + std::to_string(i)) == "hello " + std::to_string(i))
                ++ok;
        });
    for (auto& t : clients) t.join();
    REQUIRE(ok == 16);
    server.signal(SIGTERM);
    REQUIRE(server.wait(10s) == 0);
}

TEST_CASE("SIGINT closes every client with 1001, and wsserver exits once they are closed",
          "[wsserver][cli]") {
    WsServerProcess server({"--port", "0", "--threads", "2"});
    REQUIRE(server.port() != 0);
    std::vector<int> fds;
    for (int i = 0; i < 4; ++i) fds.push_back(corio_test::ws_raw_open(server.port()));
    for (int fd : fds) REQUIRE(fd >= 0);
    std::this_thread::sleep_for(100ms);  // every handler has registered its connection
    server.signal(SIGINT);
    for (int fd : fds) {
        REQUIRE(corio_test::ws_read_close_code(fd, 5s) == 1001);
        corio_test::raw_send_all(fd, corio_test::ws_frame(8, corio_test::ws_close_payload(1001)));
        REQUIRE(corio_test::ws_raw_closed(fd, 5s));
        close(fd);
    }
    REQUIRE(server.wait(10s) == 0);
    REQUIRE_THAT(server.log(), Catch::Contains("closed code 1001"));
}

TEST_CASE("a second SIGINT exits at once while a client ignores the close", "[wsserver][cli]") {
    WsServerProcess server({"--port", "0"});
    int fd = corio_test::ws_raw_open(server.port());
    REQUIRE(fd >= 0);
    std::this_thread::sleep_for(100ms);
    server.signal(SIGINT);
    REQUIRE(corio_test::ws_read_close_code(fd, 5s) == 1001);
    // No close reply: the server would wait for close_timeout (10 s).
    REQUIRE(server.wait(300ms) == -1);
    server.signal(SIGINT);
    REQUIRE(server.wait(2s) == 128 + SIGINT);
    close(fd);
}
