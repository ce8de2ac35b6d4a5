// wsserver against clients nobody here wrote: Python's websockets (asyncio client, which offers
// permessage-deflate: it must not be accepted), Node's ws, headless Chromium loading the page the
// server serves, and Python again through nginx as a reverse proxy.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <regex>
#include <thread>

#include "net_support.hpp"
#include "wsserver_support.hpp"

using namespace std::chrono_literals;
using corio_test::RunResult;
using corio_test::WsServerProcess;

namespace {

const char* kPythonClient = R"PY(
import asyncio, datetime, sys, websockets
async def main(port):
    url = f"ws://127.0.0.1:{port}/py"
    async with websockets.connect(url, max_size=None, ping_interval=None) as ws:
        assert ws.extensions == [], ws.extensions
        await ws.send("ping"); assert await ws.recv() == "pong"
        await ws.send("time"); t = await ws.recv()
        print("TIME", datetime.datetime.fromisoformat(t).isoformat())
        for n in (0, 125, 64 * 1024, 1024 * 1024):
            text = "".join(chr(0x61 + i % 26) for i in range(n)) if n < 200 else "é" * (n // 2)
            await ws.send(text); assert await ws.recv() == text, n
            data = bytes(i % 251 for i in range(n))
            await ws.send(data); assert await ws.recv() == data, n
        await ws.send(["frag", "mented ", "text"]); assert await ws.recv() == "fragmented text"
        await ws.send([b"\x00\x01", b"", b"\x02"]); assert await ws.recv() == b"\x00\x01\x02"
        pong = await ws.ping(b"are you there")
        await asyncio.wait_for(pong, 5)
        await ws.close(4001, "custom close")
        print("CLOSE", ws.close_code)
    async with websockets.connect(url, max_size=None, ping_interval=None) as ws:
        try:
            await ws.send("x" * (1024 * 1024 + 1))
            await ws.recv()
        except websockets.ConnectionClosed as e:
            print("TOOBIG", e.rcvd.code if e.rcvd else None)
    print("OK")
asyncio.run(main(int(sys.argv[1])))
)PY";

const char* kNodeClient = R"JS(
const WebSocket = require('ws');
const ws = new WebSocket(`ws://127.0.0.1:${process.argv[1]}/node`);
const big = Buffer.alloc(65536, 7);
let step = 0;
ws.on('open', () => {
  if (ws.extensions !== '') { console.log('EXT', ws.extensions); process.exit(1); }
  ws.send('ping');
});
ws.on('message', (data, isBinary) => {
  step++;
  if (step === 1) { if (data.toString() !== 'pong') process.exit(1); ws.send('time'); }
  else if (step === 2) {
    if (isNaN(new Date(data.toString()).getTime())) process.exit(1);
    console.log('TIME', data.toString());
    ws.send(big);
  } else if (step === 3) {
    if (!isBinary || !Buffer.from(data).equals(big)) process.exit(1);
    ws.close(1000, 'node done');
  }
});
ws.on('close', (code) => { console.log('CLOSE', code); console.log(step === 3 ? 'OK' : 'BAD'); });
ws.on('error', (e) => { console.log('ERROR', e.message); process.exit(1); });
)JS";

uint16_t free_tcp_port() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    socklen_t len = sizeof sa;
    getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
    close(fd);
    return ntohs(sa.sin_port);
}

bool listening(uint16_t port, std::chrono::milliseconds within) {
    auto deadline = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < deadline) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(port);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bool ok = connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
        close(fd);
        if (ok) return true;
        std::this_thread::sleep_for(20ms);
    }
    return false;
}

}  // namespace

TEST_CASE("Python's websockets client: ping, time, echo of every size, fragments, close codes",
          "[wsserver][peers]") {
    WsServerProcess server({"--port", "0"});
    REQUIRE(server.port() != 0);
    RunResult r = corio_test::run_program(
        {"/usr/bin/python3", "-c", kPythonClient, std::to_string(server.port())}, 40s);
    INFO(r.output);
    REQUIRE(r.status == 0);
    REQUIRE_THAT(r.output, Catch::Contains("TIME 20"));
    REQUIRE_THAT(r.output, Catch::Contains("CLOSE 4001"));
    REQUIRE_THAT(r.output, Catch::Contains("TOOBIG 1009"));
    REQUIRE_THAT(r.output, Catch::Contains("OK"));
    std::string log = wait_for_log(server, "code 1009");
    REQUIRE_THAT(log, Catch::Contains("closed code 4001"));
    REQUIRE_THAT(log, Catch::Contains("closed code 1009"));
}

TEST_CASE("Node's ws client: ping, time, binary echo, close", "[wsserver][peers]") {
    WsServerProcess server({"--port", "0"});
    REQUIRE(server.port() != 0);
    RunResult r =
        corio_test::run_program({"/usr/bin/node", "-e", kNodeClient, std::to_string(server.port())},
                                40s, {"NODE_PATH=/usr/share/nodejs"});
    INFO(r.output);
    REQUIRE(r.status == 0);
    REQUIRE_THAT(r.output, Catch::Contains("TIME 20"));
    REQUIRE_THAT(r.output, Catch::Contains("CLOSE 1000"));
    REQUIRE_THAT(r.output, Catch::Contains("OK"));
}

TEST_CASE("headless Chromium loads the server's page, which exchanges ping and time",
          "[wsserver][peers]") {
    WsServerProcess server({"--port", "0"});
    REQUIRE(server.port() != 0);
    RunResult r =
        corio_test::run_chromium_page("http://127.0.0.1:" + std::to_string(server.port()) + "/");
    // The end of the output: the DOM comes after the browser's own messages.
    INFO(r.output.substr(r.output.size() > 3000 ? r.output.size() - 3000 : 0));
    REQUIRE(r.status == 0);
    REQUIRE(std::regex_search(
        r.output,
        std::regex(R"(<pre id="result">ping:pong time:20\d\d-\d\d-\d\dT[^<]* OK</pre>)")));
    std::string log = wait_for_log(server, "closed code 1000");
    REQUIRE_THAT(log, Catch::Contains("closed code 1000"));
}

TEST_CASE("a client talks to wsserver through nginx as a reverse proxy", "[wsserver][peers]") {
    WsServerProcess server({"--port", "0"});
    REQUIRE(server.port() != 0);
    corio_test::ScratchDir dir;
    uint16_t nginx_port = free_tcp_port();
    std::string d = dir.path();
    std::ofstream(d + "/nginx.conf")
        << "daemon off;\nmaster_process off;\nerror_log stderr;\npid " << d << "/nginx.pid;\n"
        << "events { worker_connections 64; }\n"
        << "http {\n  access_log off;\n"
        << "  client_body_temp_path " << d << "/body;\n  proxy_temp_path " << d << "/proxy;\n"
        << "  fastcgi_temp_path " << d << "/fcgi;\n  uwsgi_temp_path " << d << "/uwsgi;\n"
        << "  scgi_temp_path " << d << "/scgi;\n"
        << "  server {\n    listen 127.0.0.1:" << nginx_port << ";\n"
        << "    location / {\n"
        << "      proxy_pass http://127.0.0.1:" << server.port() << ";\n"
        << "      proxy_http_version 1.1;\n"
        << "      proxy_set_header Upgrade $http_upgrade;\n"
        << "      proxy_set_header Connection \"upgrade\";\n"
        << "      proxy_set_header Host $host;\n"
        << "      proxy_read_timeout 60s;\n"
        << "    }\n  }\n}\n";
    corio_test::Child nginx({"/usr/sbin/nginx", "-p", d, "-c", d + "/nginx.conf", "-e", "stderr"});
    REQUIRE(listening(nginx_port, 10s));
    RunResult r = corio_test::run_program(
        {"/usr/bin/python3", "-c", kPythonClient, std::to_string(nginx_port)}, 40s);
    INFO(r.output);
    REQUIRE(r.status == 0);
    REQUIRE_THAT(r.output, Catch::Contains("CLOSE 4001"));
    REQUIRE_THAT(r.output, Catch::Contains("OK"));
    // The server saw the connection come from nginx.
    REQUIRE_THAT(wait_for_log(server, "code 4001"), Catch::Contains("closed code 4001"));
}
