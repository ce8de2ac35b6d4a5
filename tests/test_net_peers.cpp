// corio against programs nobody here wrote, on loopback: Python's asyncio (as server and as
// client), OpenBSD netcat (half-close), and curl speaking HTTP/1.1 to a corio server.
// Peers run as child processes; while one runs, the loop keeps serving (the child is driven
// from a thread).
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "corio/corio.hpp"
#include "net_support.hpp"

using namespace std::chrono_literals;
using corio::Coro;
using corio::Stream;
using corio_test::echo;

namespace {

struct Run {
    std::string out;
    int status = -1;
};

// Runs a program to completion on a thread while the loop goes on; its stdout and status.
Coro<Run> run_program(std::vector<std::string> argv, std::string input = {}, bool feed = false) {
    Run result;
    std::atomic<bool> done{false};
    std::thread t([&] {
        corio_test::Child child(argv, input, feed);
        result.out = child.read_all(20s);
        result.status = child.wait(20s);
        done = true;
    });
    while (!done) co_await corio::sleep(2ms);
    t.join();
    co_return result;
}

const char* kPythonEchoServer = R"(
import asyncio
async def handle(r, w):
    while data := await r.read(65536):
        w.write(data)
        await w.drain()
    w.close()
async def main():
    srv = await asyncio.start_server(handle, '127.0.0.1', 0)
    print(srv.sockets[0].getsockname()[1], flush=True)
    await srv.serve_forever()
asyncio.run(main())
)";

const char* kPythonClient = R"(
import asyncio, sys
async def main(port):
    r, w = await asyncio.open_connection('127.0.0.1', port)
    blob = bytes((i * 7) % 251 for i in range(1 << 20))
    w.write(blob)
    await w.drain()
    got = await r.readexactly(len(blob))
    w.write(b'line one\n')
    await w.drain()
    line = await r.readline()
    w.close()
    await w.wait_closed()
    print('OK' if got == blob and line == b'line one\n' else 'BAD', flush=True)
asyncio.run(main(int(sys.argv[1])))
)";

}  // namespace

TEST_CASE("a corio client talks to a Python asyncio echo server", "[peers]") {
    std::string python = corio_test::find_program("python3");
    REQUIRE(!python.empty());
    corio_test::Child server({python, "-c", kPythonEchoServer});
    std::string port_line = server.read_line(20s);
    REQUIRE(!port_line.empty());
    uint16_t port = static_cast<uint16_t>(std::stoi(port_line));
    corio::run([](uint16_t port) -> Coro<void> {
        Stream s = co_await corio::open_connection("127.0.0.1", port);
        std::string blob(3 << 20, '\0');
        for (size_t i = 0; i < blob.size(); ++i) blob[i] = char(i * 31 >> 3);
        s.write(blob);
        auto back = corio::create_task(s.read_exactly(blob.size()));
        co_await s.drain();
        std::string got = co_await back;
        s.write("bye\n");
        std::string line = co_await s.read_until("\n");
        s.write_eof();
        std::string end = co_await s.read();
        REQUIRE(got == blob);
        REQUIRE(line == "bye\n");
        REQUIRE(end == "");
    }(port));
}

TEST_CASE("a Python asyncio client talks to a corio echo server", "[peers]") {
    std::string python = corio_test::find_program("python3");
    REQUIRE(!python.empty());
    corio::run([](std::string python) -> Coro<void> {
        corio::Server server = co_await corio::start_server(echo, "127.0.0.1", 0);
        std::vector<std::string> argv{python, "-c", kPythonClient, std::to_string(server.port())};
        Run r = co_await run_program(argv);
        REQUIRE(r.status == 0);
        REQUIRE(r.out == "OK\n");
    }(python));
}

TEST_CASE("netcat's half-close reaches the handler as end of stream, and the answer comes back",
          "[peers]") {
    std::string nc = corio_test::find_program("nc");
    REQUIRE(!nc.empty());
    corio::run([](std::string nc) -> Coro<void> {
        corio::Server server = co_await corio::start_server(
            [](Stream s) -> Coro<void> {
                std::string all;
                for (std::string d; !(d = co_await s.read()).empty();) all += d;
                for (char& c : all)
                    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                s.write(all);
            },
            "127.0.0.1", 0);
        // -N: shut the socket's write side at end of input (OpenBSD netcat).
        std::vector<std::string> argv{nc, "-N", "127.0.0.1", std::to_string(server.port())};
        Run r = co_await run_program(argv, "shout this\nand this\n", true);
        REQUIRE(r.status == 0);
        REQUIRE(r.out == "SHOUT THIS\nAND THIS\n");
    }(nc));
}

TEST_CASE("curl gets an HTTP/1.1 answer and uploads a body to a corio server", "[peers]") {
    std::string curl = corio_test::find_program("curl");
    REQUIRE(!curl.empty());
    corio::run([](std::string curl) -> Coro<void> {
        corio::Server server = co_await corio::start_server(
            [](Stream s) -> Coro<void> {
                std::string head = co_await s.read_until("\r\n\r\n", 16 * 1024);
                size_t length = 0;
                size_t at = head.find("Content-Length: ");
                if (at != std::string::npos) length = std::stoul(head.substr(at + 16));
                std::string body = co_await s.read_exactly(length);
                std::string answer = head.substr(0, head.find(' ')) + " " +
                                     std::to_string(body.size()) + " " +
                                     std::to_string(corio_test::fnv1a(body)) + "\n";
                s.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                        std::to_string(answer.size()) + "\r\nConnection: close\r\n\r\n" + answer);
            },
            "127.0.0.1", 0);
        std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/x";
        std::vector<std::string> get_argv{curl, "-sS", "--max-time", "10", url};
        Run get = co_await run_program(get_argv);
        std::string upload(512 * 1024, 'u');
        for (size_t i = 0; i < upload.size(); i += 7) upload[i] = char('a' + i % 26);
        std::vector<std::string> post_argv{curl,      "-sS",           "--max-time", "10", "-H",
                                           "Expect:", "--data-binary", "@-",         url};
        Run post = co_await run_program(post_argv, upload, true);
        REQUIRE(get.status == 0);
        REQUIRE(get.out == "GET 0 " + std::to_string(corio_test::fnv1a("")) + "\n");
        REQUIRE(post.status == 0);
        REQUIRE(post.out == "POST " + std::to_string(upload.size()) + " " +
                                std::to_string(corio_test::fnv1a(upload)) + "\n");
    }(curl));
}
