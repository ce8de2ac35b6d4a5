// WebSocket over TLS: ws::connect to wss:// URLs and ws::serve with a TLS context, together
// (echo up to 1 MiB, the closing handshake ending in close_notify), their failures (a wrong
// host, an unknown CA, an expired certificate, a plain server: each naming the host), and
// Python's websockets client with an ssl context trusting the test CA.
#include <catch2/catch.hpp>

#include "corio/tls.hpp"
#include "corio/ws/client.hpp"
#include "corio/ws/server.hpp"
#include "net_support.hpp"
#include "tls_server_support.hpp"
#include "ws_support.hpp"

using namespace corio;
using namespace std::chrono_literals;
using corio_test::shared_pki;
using Reason = tls::CertificateError::Reason;

namespace {

ws::ServerOptions wss_options(const corio_test::CertPair& cert) {
    ws::ServerOptions o;
    o.ping_interval = 0ms;
    o.close_timeout = 2s;
    o.max_message_size = 2 << 20;
    o.tls = corio_test::server_tls(cert);
    return o;
}

ws::ConnectOptions trusting_test_ca() {
    ws::ConnectOptions o;
    o.system_trust = false;
    o.ca_file = shared_pki().ca();
    o.max_message_size = 2 << 20;
    o.open_timeout = 10s;
    return o;
}

template <class F>
auto run_bounded(F f) {
    return corio::run(wait_for(f(), 40s));
}

std::string patterned(size_t n, int seed) {
    std::string s(n, '\0');
    for (size_t i = 0; i < n; ++i) s[i] = char((i * 31 + size_t(seed)) % 251);
    return s;
}

// What ws::connect to url throws: the certificate failure's reason and message, or the type.
struct Failure {
    std::optional<Reason> reason;
    std::string what = "(no error)";
};

Coro<Failure> connect_failure(std::string url, ws::ConnectOptions o) {
    Failure f;
    try {
        ws::Connection c = co_await ws::connect(url, std::move(o));
        co_await c.close();
    } catch (const tls::CertificateError& e) {
        f.reason = e.reason();
        f.what = e.what();
    } catch (const std::exception& e) {
        f.what = e.what();
    }
    co_return f;
}

}  // namespace

TEST_CASE("ws::connect over wss echoes with ws::serve over TLS, up to 1 MiB, and closes",
          "[tls][wss]") {
    std::string big_bin = patterned(1 << 20, 1);
    std::string big_text(1 << 20, 'x');
    for (size_t i = 0; i < big_text.size(); i += 13) big_text[i] = char('a' + i % 26);
    struct Got {
        std::vector<std::string> echoes;
        std::vector<bool> binary;
        std::optional<uint16_t> client_code, server_code;
        std::string path;
    };
    Got got = run_bounded([&]() -> Coro<Got> {
        Got g;
        auto handler = [&g](ws::Connection& c) -> Coro<void> {
            g.path = c.path();
            co_await corio_test::ws_echo(c);
            g.server_code = c.close_code();
        };
        ws::ServerOptions so = wss_options(shared_pki().good);
        Server server = co_await ws::serve(handler, "127.0.0.1", 0, so);
        std::string url = "wss://localhost:" + std::to_string(server.port()) + "/secure?x=1";
        ws::ConnectOptions co = trusting_test_ca();
        ws::Connection c = co_await ws::connect(url, std::move(co));
        for (const std::string* m : {&big_bin, &big_text}) {
            if (m == &big_bin) {
                co_await c.send_binary(*m);
            } else {
                co_await c.send(*m);
            }
        }
        co_await c.send("hello over TLS");
        for (int i = 0; i < 3; ++i) {
            std::optional<ws::Message> m = co_await c.recv();
            if (!m) break;
            g.echoes.emplace_back(m->data());
            g.binary.push_back(m->is_binary());
        }
        co_await c.close(1000, "done");
        g.client_code = c.close_code();
        server.close();
        co_await wait_for(server.wait_closed(), 5s);
        co_return g;
    });
    REQUIRE(got.echoes.size() == 3);
    CHECK(got.binary == std::vector<bool>{true, false, false});
    CHECK(got.echoes[0] == big_bin);
    CHECK(got.echoes[1] == big_text);
    CHECK(got.echoes[2] == "hello over TLS");
    CHECK(got.path == "/secure?x=1");
    CHECK(got.client_code == std::optional<uint16_t>(1000));
    CHECK(got.server_code == std::optional<uint16_t>(1000));
}

TEST_CASE("after the closing handshake the wss server ends TLS with close_notify", "[tls][wss]") {
    // A client by hand over TlsOverStream: its read_all() throws TruncatedError when the
    // server's TLS stream ends without close_notify.
    std::string rest = run_bounded([&]() -> Coro<std::string> {
        ws::ServerOptions so = wss_options(shared_pki().good);
        Server server = co_await ws::serve(corio_test::ws_echo, "127.0.0.1", 0, so);
        auto ctx = tls::client_context({.system_trust = false, .ca_file = shared_pki().ca()});
        Stream raw = co_await open_connection("127.0.0.1", server.port());
        corio_test::TlsOverStream t(std::move(raw), ctx->open("localhost", server.port()));
        co_await t.handshake();
        co_await t.write(
            "GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        std::string head;
        while (head.find("\r\n\r\n") == std::string::npos) {
            std::string part = co_await t.read();
            if (part.empty()) break;
            head += part;
        }
        co_await t.write(corio_test::ws_frame(0x8, corio_test::ws_close_payload(1000, "bye")));
        std::string after = head.substr(head.find("\r\n\r\n") + 4);
        after += co_await t.read_all();  // "" at close_notify; throws on a bare TCP end
        co_await t.close();
        server.close();
        co_return head.substr(0, 12) + "|" + after;
    });
    // The 101, then the server's close frame echoing 1000 (0x03E8) and the reason, then a
    // clean TLS end.
    CHECK(rest == std::string("HTTP/1.1 101|\x88\x05\x03\xE8"
                              "bye",
                              20));
}

TEST_CASE("wss:// failures are distinct errors that name the host", "[tls][wss]") {
    const auto& pki = shared_pki();
    struct Case {
        const corio_test::CertPair* cert;
        Reason reason;
    };
    for (Case k : {Case{&pki.wrong_host, Reason::WrongHost},
                   Case{&pki.unknown_ca, Reason::UnknownCa}, Case{&pki.expired, Reason::Expired}}) {
        auto [f, port] = run_bounded([&]() -> Coro<std::pair<Failure, uint16_t>> {
            ws::ServerOptions so = wss_options(*k.cert);
            Server server = co_await ws::serve(corio_test::ws_echo, "127.0.0.1", 0, so);
            ws::ConnectOptions co = trusting_test_ca();
            Failure f = co_await connect_failure(
                "wss://localhost:" + std::to_string(server.port()) + "/", std::move(co));
            server.close();
            co_return std::pair{f, server.port()};
        });
        INFO(f.what);
        CHECK(f.reason == std::optional<Reason>(k.reason));
        CHECK_THAT(f.what, Catch::Contains("localhost:" + std::to_string(port)));
    }
    // A plain ws server on a wss:// URL, and insecure, which accepts the unknown CA.
    auto [plain, insecure_echo] = run_bounded([&]() -> Coro<std::pair<std::string, std::string>> {
        ws::ServerOptions po = wss_options(pki.good);
        po.tls = nullptr;
        Server plain_server = co_await ws::serve(corio_test::ws_echo, "127.0.0.1", 0, po);
        std::string plain_what;
        try {
            ws::ConnectOptions co = trusting_test_ca();
            co_await ws::connect("wss://localhost:" + std::to_string(plain_server.port()) + "/",
                                 std::move(co));
        } catch (const tls::NotTlsError& e) {
            plain_what = e.what();
        }
        plain_server.close();
        ws::ServerOptions so = wss_options(pki.unknown_ca);
        Server server = co_await ws::serve(corio_test::ws_echo, "127.0.0.1", 0, so);
        ws::ConnectOptions o;
        o.insecure = true;
        ws::Connection c = co_await ws::connect(
            "wss://localhost:" + std::to_string(server.port()) + "/", std::move(o));
        co_await c.send("trusting anyone");
        std::optional<ws::Message> m = co_await c.recv();
        co_await c.close();
        server.close();
        co_return std::pair{plain_what, m ? std::string(m->text()) : "(closed)"};
    });
    CHECK_THAT(plain, Catch::Contains("localhost:") && Catch::Contains("plain HTTP"));
    CHECK(insecure_echo == "trusting anyone");
}

TEST_CASE("wss:// without a port dials 443, and a missing CA file is a clear error", "[tls][wss]") {
    auto [dial, ca] = run_bounded([&]() -> Coro<std::pair<std::string, std::string>> {
        // Nothing listens on 127.0.0.1:443 here: the refusal names the port dialled.
        ws::ConnectOptions trusting = trusting_test_ca();
        Failure f = co_await connect_failure("wss://127.0.0.1/", std::move(trusting));
        ws::ConnectOptions o = trusting_test_ca();
        o.ca_file = "/nonexistent/ca.pem";
        Failure g = co_await connect_failure("wss://127.0.0.1:1/", std::move(o));
        co_return std::pair{f.what, g.what};
    });
    CHECK_THAT(dial, Catch::Contains("127.0.0.1") && Catch::Contains("443"));
    CHECK_THAT(ca, Catch::Contains("/nonexistent/ca.pem"));
}

TEST_CASE("Python's websockets client over wss, trusting the test CA, talks to ws::serve",
          "[tls][wss][peers]") {
    const char* script = R"PY(
import asyncio, ssl, sys, websockets
async def main(ca, port):
    ctx = ssl.create_default_context(cafile=ca)
    url = f"wss://localhost:{port}/py"
    async with websockets.connect(url, ssl=ctx, max_size=None, ping_interval=None) as ws:
        await ws.send("hello"); print("ECHO", await ws.recv())
        data = bytes(i % 251 for i in range(1 << 20))
        await ws.send(data); assert await ws.recv() == data
        print("BIG ok")
        await ws.close(4002, "py done")
        print("CLOSE", ws.close_code)
asyncio.run(main(sys.argv[1], int(sys.argv[2])))
)PY";
    auto [r, server_code] = run_bounded([&]() -> Coro<std::pair<corio_test::RunResult, int>> {
        int code = 0;
        auto handler = [&code](ws::Connection& c) -> Coro<void> {
            co_await corio_test::ws_echo(c);
            code = c.close_code().value_or(0);
        };
        ws::ServerOptions so = wss_options(shared_pki().good);
        Server server = co_await ws::serve(handler, "127.0.0.1", 0, so);
        std::vector<std::string> argv{"/usr/bin/python3", "-c", script, shared_pki().ca(),
                                      std::to_string(server.port())};
        corio_test::RunResult got = co_await corio_test::run_beside(argv, 30s);
        server.close();
        co_await wait_for(server.wait_closed(), 5s);
        co_return std::pair{got, code};
    });
    INFO(r.output);
    REQUIRE(r.status == 0);
    CHECK_THAT(r.output, Catch::Contains("ECHO hello"));
    CHECK_THAT(r.output, Catch::Contains("BIG ok"));
    CHECK_THAT(r.output, Catch::Contains("CLOSE 4002"));
    CHECK(server_code == 4002);
}
