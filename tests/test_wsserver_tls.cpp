// wsserver --cert/--key (wss) against clients nobody here wrote: Python's websockets and Node's
// ws trusting the test CA, headless Chromium trusting the certificate's key by its SPKI hash;
// the usage errors of the two flags, bad files, and SIGHUP reloading the certificate. In a build
// without TLS, --cert must be refused clearly instead.
#include <signal.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <regex>
#include <thread>

#include "tls_server_support.hpp"

using namespace std::chrono_literals;
using corio_test::RunResult;
using corio_test::shared_pki;
using corio_test::WsServerProcess;

namespace {

std::vector<std::string> tls_args(const corio_test::CertPair& c) {
    return {"--port", "0", "--cert", c.cert, "--key", c.key};
}

const char* kPythonClient = R"PY(
import asyncio, datetime, ssl, sys, websockets
async def main(ca, port):
    ctx = ssl.create_default_context(cafile=ca)
    url = f"wss://localhost:{port}/py"
    async with websockets.connect(url, ssl=ctx, max_size=None, ping_interval=None) as ws:
        await ws.send("ping"); assert await ws.recv() == "pong"
        await ws.send("time"); t = await ws.recv()
        print("TIME", datetime.datetime.fromisoformat(t).isoformat())
        for n in (0, 125, 64 * 1024, 1024 * 1024):
            data = bytes(i % 251 for i in range(n))
            await ws.send(data); assert await ws.recv() == data, n
            text = "é" * (n // 2)
            await ws.send(text); assert await ws.recv() == text, n
        await ws.close(4001, "custom close")
        print("CLOSE", ws.close_code)
    print("OK")
asyncio.run(main(sys.argv[1], int(sys.argv[2])))
)PY";

// Prints OK when a wss handshake to localhost:port succeeds, FAIL and the reason otherwise.
const char* kPythonProbe = R"PY(
import asyncio, ssl, sys, websockets
async def main(ca, port):
    ctx = ssl.create_default_context(cafile=ca)
    try:
        async with websockets.connect(f"wss://localhost:{port}/", ssl=ctx, open_timeout=10) as ws:
            await ws.send("ping"); print("OK", await ws.recv())
    except ssl.SSLCertVerificationError as e:
        print("FAIL", e.verify_message)
asyncio.run(main(sys.argv[1], int(sys.argv[2])))
)PY";

const char* kNodeClient = R"JS(
const fs = require('fs');
const WebSocket = require('ws');
const ws = new WebSocket(`wss://localhost:${process.argv[2]}/node`,
                         {ca: fs.readFileSync(process.argv[1])});
const big = Buffer.alloc(1 << 20, 7);
let step = 0;
ws.on('open', () => ws.send('ping'));
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

// With TLS=0 there is no wss to test: what must hold instead is a clear refusal of --cert.
bool refused_without_tls() {
    if (corio_test::tls_built_in()) return false;
    RunResult r = corio_test::run_program(
        {corio_test::wsserver_binary(), "--cert", "/x.pem", "--key", "/x.key"}, 10s);
    INFO(r.output);
    CHECK(r.status == 2);
    CHECK_THAT(r.output, Catch::Contains("built without TLS"));
    return true;
}

}  // namespace

TEST_CASE("Python's websockets client over wss: ping, time, echo up to 1 MiB, close code",
          "[wsserver][tls]") {
    if (refused_without_tls()) return;
    WsServerProcess server(tls_args(shared_pki().good));
    REQUIRE(server.port() != 0);
    RunResult r = corio_test::run_program(
        {"/usr/bin/python3", "-c", kPythonClient, shared_pki().ca(), std::to_string(server.port())},
        40s);
    INFO(r.output);
    REQUIRE(r.status == 0);
    CHECK_THAT(r.output, Catch::Contains("TIME 20"));
    CHECK_THAT(r.output, Catch::Contains("CLOSE 4001"));
    CHECK_THAT(r.output, Catch::Contains("OK"));
    std::string log = wait_for_log(server, "closed code 4001");
    CHECK_THAT(log, Catch::Contains("wss (TLS) with " + shared_pki().good.cert));
    CHECK_THAT(log, Catch::Contains("closed code 4001"));
}

TEST_CASE("Node's ws client over wss with the test CA, two loops sharing the certificate",
          "[wsserver][tls]") {
    if (refused_without_tls()) return;
    std::vector<std::string> args = tls_args(shared_pki().good);
    args.insert(args.end(), {"--threads", "2"});
    WsServerProcess server(args);
    REQUIRE(server.port() != 0);
    RunResult r = corio_test::run_program(
        {"/usr/bin/node", "-e", kNodeClient, shared_pki().ca(), std::to_string(server.port())}, 40s,
        {"NODE_PATH=/usr/share/nodejs"});
    INFO(r.output);
    REQUIRE(r.status == 0);
    CHECK_THAT(r.output, Catch::Contains("TIME 20"));
    CHECK_THAT(r.output, Catch::Contains("CLOSE 1000"));
    CHECK_THAT(r.output, Catch::Contains("OK"));
}

TEST_CASE("headless Chromium loads the page over https and talks wss back", "[wsserver][tls]") {
    if (refused_without_tls()) return;
    WsServerProcess server(tls_args(shared_pki().good));
    REQUIRE(server.port() != 0);
    std::string spki = corio_test::spki_sha256(shared_pki().good.cert);
    REQUIRE(spki.size() == 44);
    RunResult r =
        corio_test::run_chromium_page("https://127.0.0.1:" + std::to_string(server.port()) + "/",
                                      {"--ignore-certificate-errors-spki-list=" + spki});
    // The end of the output: the DOM comes after the browser's own messages.
    INFO(r.output.substr(r.output.size() > 3000 ? r.output.size() - 3000 : 0));
    REQUIRE(r.status == 0);
    REQUIRE(std::regex_search(
        r.output,
        std::regex(R"(<pre id="result">ping:pong time:20\d\d-\d\d-\d\dT[^<]* OK</pre>)")));
    CHECK_THAT(wait_for_log(server, "closed code 1000"), Catch::Contains("closed code 1000"));
}

TEST_CASE("wsserver --cert and --key go together; bad files are refused with exit code 2",
          "[wsserver][tls]") {
    const auto& pki = shared_pki();
    std::string bin = corio_test::wsserver_binary();
    RunResult cert_only = corio_test::run_program({bin, "--cert", pki.good.cert}, 10s);
    CHECK(cert_only.status == 2);
    CHECK_THAT(cert_only.output, Catch::Contains("--cert needs --key too"));
    RunResult key_only = corio_test::run_program({bin, "--key=" + pki.good.key}, 10s);
    CHECK(key_only.status == 2);
    CHECK_THAT(key_only.output, Catch::Contains("--key needs --cert too"));
    RunResult empty = corio_test::run_program({bin, "--cert=", "--key", pki.good.key}, 10s);
    CHECK(empty.status == 2);
    CHECK_THAT(empty.output, Catch::Contains("--cert needs a file name"));
    RunResult help = corio_test::run_program({bin, "--help"}, 10s);
    CHECK(help.status == 0);
    CHECK_THAT(help.output, Catch::Contains("--cert FILE") && Catch::Contains("--key FILE") &&
                                Catch::Contains("SIGHUP"));
    if (refused_without_tls()) return;
    RunResult missing = corio_test::run_program(
        {bin, "--port", "0", "--cert", "/nonexistent/cert.pem", "--key", pki.good.key}, 10s);
    CHECK(missing.status == 2);
    CHECK_THAT(missing.output,
               Catch::Contains("cannot serve wss") && Catch::Contains("/nonexistent/cert.pem"));
    RunResult mismatch = corio_test::run_program(
        {bin, "--port", "0", "--cert", pki.good.cert, "--key", pki.unknown_ca.key}, 10s);
    CHECK(mismatch.status == 2);
    CHECK_THAT(mismatch.output, Catch::Contains("does not match"));
}

TEST_CASE("SIGHUP makes wsserver read its certificate again; a bad file keeps the old one",
          "[wsserver][tls]") {
    if (refused_without_tls()) return;
    const auto& pki = shared_pki();
    corio_test::ScratchDir dir;
    std::string cert = dir.path() + "/cert.pem", key = dir.path() + "/key.pem";
    namespace fs = std::filesystem;
    auto install = [&](const corio_test::CertPair& p) {
        fs::copy_file(p.cert, cert, fs::copy_options::overwrite_existing);
        fs::copy_file(p.key, key, fs::copy_options::overwrite_existing);
    };
    install(pki.unknown_ca);  // a certificate the client does not trust
    WsServerProcess server({"--port", "0", "--cert", cert, "--key", key});
    REQUIRE(server.port() != 0);
    auto probe = [&] {
        RunResult r = corio_test::run_program(
            {"/usr/bin/python3", "-c", kPythonProbe, pki.ca(), std::to_string(server.port())}, 30s);
        return r.output;
    };
    CHECK_THAT(probe(), Catch::StartsWith("FAIL"));

    install(pki.good);
    server.signal(SIGHUP);
    CHECK_THAT(wait_for_log(server, "certificate reloaded"),
               Catch::Contains("certificate reloaded"));
    CHECK(probe() == "OK pong\n");

    // A broken key file: the reload fails, says so, and the good certificate stays in use.
    fs::copy_file(pki.unknown_ca.key, key, fs::copy_options::overwrite_existing);
    server.signal(SIGHUP);
    CHECK_THAT(wait_for_log(server, "not reloaded"),
               Catch::Contains("certificate not reloaded, keeping the old one"));
    CHECK(probe() == "OK pong\n");
    server.signal(SIGTERM);
    CHECK(server.wait(15s) == 0);
}
