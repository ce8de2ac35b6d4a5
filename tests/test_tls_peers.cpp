// The TLS engine against real peers over loopback sockets: nginx serving https, curl and
// Python's ssl module against a corio server, and each failure (expired, wrong host, unknown
// CA, plain HTTP, truncation) across a real connection. The engine rides on a plain Stream
// through TlsOverStream until the net layer carries transports (notes/tls-transport.md).
#include <catch2/catch.hpp>

#include "corio/tls.hpp"
#include "tls_support.hpp"

using namespace corio;
using namespace std::chrono_literals;
using corio_test::Child;
using corio_test::TestPki;
using corio_test::TlsOverStream;
using Reason = tls::CertificateError::Reason;

namespace {

const TestPki& pki() {
    static TestPki p;
    return p;
}

std::shared_ptr<tls::ClientContext> trusting_client() {
    return tls::client_context(tls::ClientOptions{.system_trust = false, .ca_file = pki().ca()});
}

// Connects to 127.0.0.1:port and runs the handshake as a client of `host`.
Coro<TlsOverStream> tls_connect(tls::ClientContext& ctx, std::string host, uint16_t port) {
    Stream s = co_await open_connection("127.0.0.1", port);
    TlsOverStream t(std::move(s), ctx.open(host, port));
    co_await t.handshake();
    co_return t;
}

Coro<std::string> https_get(tls::ClientContext& ctx, uint16_t port, std::string path,
                            bool* resumed = nullptr) {
    TlsOverStream t = co_await tls_connect(ctx, "localhost", port);
    if (resumed) *resumed = tls::session_resumed(t.transport());
    co_await t.write("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    std::string all = co_await t.read_all();
    co_await t.close();
    co_return all;
}

// A corio server that does TLS by hand: handshake, read a request head, answer `body`, close
// with close_notify (or without, when truncate).
struct TlsHttpServer {
    std::shared_ptr<tls::ServerContext> ctx;
    std::string body;
    bool truncate = false;
    int handshakes_failed = 0;
    Server server;

    Coro<void> start() {
        auto handler = [this](Stream s) -> Coro<void> {
            TlsOverStream t(std::move(s), ctx->open("127.0.0.1", 0));
            try {
                co_await t.handshake();
            } catch (const tls::TlsError&) {
                ++handshakes_failed;
                co_return;
            }
            std::string head;
            while (head.find("\r\n\r\n") == std::string::npos) {
                std::string part = co_await t.read();
                if (part.empty()) co_return;
                head += part;
            }
            co_await t.write("HTTP/1.1 200 OK\r\nContent-Length: " +
                             std::to_string(truncate ? body.size() + 100 : body.size()) +
                             "\r\nConnection: close\r\n\r\n" + body);
            co_await t.close(!truncate);
        };
        server = co_await start_server(handler, "127.0.0.1", 0);
    }
};

template <class F>
auto run_bounded(F f) {
    return corio::run(wait_for(f(), 20s));
}

}  // namespace

TEST_CASE("the engine fetches a page from nginx over https and resumes the session", "[tls]") {
    corio_test::NginxTlsPeer nginx(pki().good);
    auto ctx = trusting_client();
    run_bounded([&]() -> Coro<void> {
        bool resumed = true;
        std::string first = co_await https_get(*ctx, nginx.tls_port(), "/page.txt", &resumed);
        CHECK(first.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
        CHECK(first.find("\r\n\r\na plain page\n") != std::string::npos);
        CHECK_FALSE(resumed);
        std::string second = co_await https_get(*ctx, nginx.tls_port(), "/index.html", &resumed);
        CHECK(second.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
        CHECK(resumed);
        TlsOverStream t = co_await tls_connect(*ctx, "localhost", nginx.tls_port());
        CHECK(t.transport().protocol() == "http/1.1");
        co_await t.close();
    });
}

TEST_CASE("https to nginx's plain-HTTP port says it is plain HTTP", "[tls]") {
    corio_test::NginxTlsPeer nginx(pki().good);
    auto ctx = trusting_client();
    std::string what = run_bounded([&]() -> Coro<std::string> {
        try {
            co_await tls_connect(*ctx, "localhost", nginx.plain_port());
        } catch (const tls::NotTlsError& e) {
            co_return e.what();
        }
        co_return "(no error)";
    });
    CHECK(what == "the server at localhost:" + std::to_string(nginx.plain_port()) +
                      " did not answer TLS; is it plain HTTP?");
}

TEST_CASE("certificate failures across a real connection name the host", "[tls]") {
    struct Case {
        const corio_test::CertPair* cert;
        Reason reason;
        const char* words;
    };
    for (Case c : {Case{&pki().expired, Reason::Expired, "has expired"},
                   Case{&pki().wrong_host, Reason::WrongHost, "wrong host"},
                   Case{&pki().unknown_ca, Reason::UnknownCa, "unknown certificate authority"}}) {
        TlsHttpServer srv{
            tls::server_context({.cert_file = c.cert->cert, .key_file = c.cert->key})};
        auto ctx = trusting_client();
        auto [reason, what, server_failed] =
            run_bounded([&]() -> Coro<std::tuple<Reason, std::string, int>> {
                co_await srv.start();
                std::tuple<Reason, std::string, int> r{Reason::Other, "(no error)", 0};
                try {
                    co_await tls_connect(*ctx, "localhost", srv.server.port());
                } catch (const tls::CertificateError& e) {
                    std::get<0>(r) = e.reason();
                    std::get<1>(r) = e.what();
                }
                srv.server.close();
                co_await srv.server.wait_closed();
                std::get<2>(r) = srv.handshakes_failed;
                co_return r;
            });
        CHECK(reason == c.reason);
        CHECK_THAT(what, Catch::Contains("localhost:" + std::to_string(srv.server.port())) &&
                             Catch::Contains(c.words));
        CHECK(server_failed == 1);  // the client's alert reached the server
    }
}

TEST_CASE("curl --cacert fetches from a corio TLS server, and refuses it without the CA", "[tls]") {
    TlsHttpServer srv{
        tls::server_context({.cert_file = pki().good.cert, .key_file = pki().good.key}),
        "hello over tls\n"};
    std::string url;
    auto curl = [&](std::vector<std::string> extra) {
        std::vector<std::string> argv{corio_test::find_program("curl"), "-s", "--max-time", "10"};
        argv.insert(argv.end(), extra.begin(), extra.end());
        argv.push_back(url);
        return std::make_unique<Child>(argv);
    };
    auto [out, status, bad_status] = run_bounded([&]() -> Coro<std::tuple<std::string, int, int>> {
        co_await srv.start();
        url = "https://localhost:" + std::to_string(srv.server.port()) + "/";
        auto good = curl({"--cacert", pki().ca()});
        auto bad = curl({});
        std::tuple<std::string, int, int> r;
        // The children need the loop to serve them: poll their exit while it runs.
        for (int i = 0; i < 1000 && (std::get<1>(r) = good->wait(0ms)) < 0; ++i)
            co_await sleep(10ms);
        for (int i = 0; i < 1000 && (std::get<2>(r) = bad->wait(0ms)) < 0; ++i)
            co_await sleep(10ms);
        std::get<0>(r) = good->read_all(1s);
        srv.server.close();
        co_return r;
    });
    CHECK(status == 0);
    CHECK(out == "hello over tls\n");
    CHECK(bad_status == 60);  // curl: peer certificate cannot be authenticated with known CAs
}

TEST_CASE("Python's ssl client talks to a corio TLS server and closes with close_notify", "[tls]") {
    auto ctx = tls::server_context({.cert_file = pki().good.cert, .key_file = pki().good.key});
    std::string script =
        "import socket, ssl, sys\n"
        "c = ssl.create_default_context(cafile=sys.argv[1])\n"
        "with socket.create_connection(('127.0.0.1', int(sys.argv[2])), timeout=10) as raw:\n"
        "    s = c.wrap_socket(raw, server_hostname='localhost')\n"
        "    s.sendall(b'ping')\n"
        "    print(s.recv(100).decode(), s.version(), s.selected_alpn_protocol(), flush=True)\n"
        "    s.unwrap()\n";
    std::string heard, reply;
    bool clean_end = false;
    run_bounded([&]() -> Coro<void> {
        Event done;
        auto handler = [&](Stream s) -> Coro<void> {
            TlsOverStream t(std::move(s), ctx->open("127.0.0.1", 0));
            co_await t.handshake();
            heard = co_await t.read();
            co_await t.write("pong");
            std::string rest = co_await t.read();  // "" only after Python's close_notify
            clean_end = rest.empty() && t.transport().input_closed();
            co_await t.close();
            done.set();
        };
        Server server = co_await start_server(handler, "127.0.0.1", 0);
        Child py({"/usr/bin/python3", "-c", script, pki().ca(), std::to_string(server.port())});
        for (int i = 0; i < 1500 && !done.is_set(); ++i) co_await sleep(10ms);
        reply = py.read_line(5s);
        server.close();
    });
    CHECK(heard == "ping");
    CHECK(reply.rfind("pong TLSv1.3 ", 0) == 0);
    CHECK(clean_end);
}

TEST_CASE("a server that closes without close_notify is a truncation, not a short body", "[tls]") {
    TlsHttpServer srv{
        tls::server_context({.cert_file = pki().good.cert, .key_file = pki().good.key}),
        "short body", true};
    auto ctx = trusting_client();
    std::string what = run_bounded([&]() -> Coro<std::string> {
        co_await srv.start();
        std::string r = "(no error)";
        try {
            co_await https_get(*ctx, srv.server.port(), "/");
        } catch (const tls::TruncatedError& e) {
            r = e.what();
        }
        srv.server.close();
        co_return r;
    });
    CHECK_THAT(what, Catch::Contains("localhost:" + std::to_string(srv.server.port())) &&
                         Catch::Contains("without close_notify"));
}
