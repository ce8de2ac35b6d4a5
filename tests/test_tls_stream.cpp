// TLS inside corio's Stream: open_connection and start_server with a tls context. Real peers
// (nginx, curl, Python's ssl), large transfers with backpressure, close_notify, truncation,
// the certificate failures and the handshake timeout, all through the plain Stream API.
#include <unistd.h>

#include <catch2/catch.hpp>

#include "corio/tls.hpp"
#include "tls_support.hpp"

using namespace corio;
using namespace std::chrono_literals;
using corio_test::Child;
using corio_test::TestPki;
using Reason = tls::CertificateError::Reason;

namespace {

const TestPki& pki() {
    static TestPki p;
    return p;
}

ConnectOptions tls_options(std::chrono::milliseconds handshake = 10s) {
    ConnectOptions o;
    o.tls = tls::client_context(tls::ClientOptions{.system_trust = false, .ca_file = pki().ca()});
    o.handshake_timeout = handshake;
    return o;
}

ServerOptions tls_server(const corio_test::CertPair& c) {
    ServerOptions o;
    o.tls = tls::server_context({.cert_file = c.cert, .key_file = c.key});
    return o;
}

template <class F>
auto run_bounded(F f) {
    return corio::run(wait_for(f(), 20s));
}

Coro<void> echo_all(Stream s) {
    for (;;) {
        std::string got = co_await s.read();
        if (got.empty()) co_return;
        s.write(got);
        co_await s.drain();
    }
}

}  // namespace

TEST_CASE("open_connection with tls fetches from nginx and ends on close_notify", "[tls]") {
    corio_test::NginxTlsPeer nginx(pki().good);
    auto [head, body, protocol] =
        run_bounded([&]() -> Coro<std::tuple<std::string, std::string, std::string>> {
            Stream s = co_await open_connection("localhost", nginx.tls_port(), tls_options());
            std::string protocol(s.transport()->protocol());
            s.write("GET /page.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            co_await s.drain();
            std::string head = co_await s.read_until("\r\n\r\n");
            std::string body;
            for (std::string part; !(part = co_await s.read()).empty();) body += part;
            co_return std::tuple{head, body, protocol};
        });
    CHECK(head.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(body == "a plain page\n");
    CHECK(protocol == "http/1.1");
}

TEST_CASE("a TLS server echoes a large transfer both ways with backpressure", "[tls]") {
    std::string big(3 << 20, 'x');
    for (size_t i = 0; i < big.size(); i += 7) big[i] = static_cast<char>('a' + i % 26);
    std::string back = run_bounded([&]() -> Coro<std::string> {
        Server server = co_await start_server(echo_all, "127.0.0.1", 0, tls_server(pki().good));
        Stream s = co_await open_connection("127.0.0.1", server.port(), tls_options());
        auto reader = create_task([](Stream* s, size_t n) -> Coro<std::string> {
            co_return co_await s->read_exactly(n);
        }(&s, big.size()));
        for (size_t i = 0; i < big.size(); i += 100000) {
            s.write(std::string_view(big).substr(i, 100000));
            co_await s.drain();
        }
        std::string got = co_await reader;
        s.write_eof();  // close_notify: the echo handler's read returns ""
        std::string end = co_await s.read();
        CHECK(end.empty());
        server.close();
        co_await server.wait_closed();
        co_return got;
    });
    CHECK(back == big);
}

TEST_CASE("curl --cacert and Python's ssl talk to start_server with tls", "[tls]") {
    auto handler = [](Stream s) -> Coro<void> {
        std::string head = co_await s.read_until("\r\n\r\n");
        std::string body = "hello " + std::string(s.transport()->protocol()) + "\n";
        s.write("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
                "\r\nConnection: close\r\n\r\n" + body);
        co_await s.drain();
    };
    std::string script =
        "import socket, ssl, sys\n"
        "c = ssl.create_default_context(cafile=sys.argv[1])\n"
        "c.set_alpn_protocols(['http/1.1'])\n"
        "with socket.create_connection(('127.0.0.1', int(sys.argv[2])), timeout=10) as raw:\n"
        "    s = c.wrap_socket(raw, server_hostname='localhost')\n"
        "    s.sendall(b'GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n')\n"
        "    data = b''\n"
        "    while True:\n"
        "        d = s.recv(1000)\n"
        "        if not d: break\n"
        "        data += d\n"
        "    print(data.split(b'\\r\\n\\r\\n')[1].decode().strip(), flush=True)\n";
    auto [curl_out, curl_status, py_out] =
        run_bounded([&]() -> Coro<std::tuple<std::string, int, std::string>> {
            Server server = co_await start_server(handler, "127.0.0.1", 0, tls_server(pki().good));
            std::string port = std::to_string(server.port());
            Child curl({corio_test::find_program("curl"), "-s", "--max-time", "10", "--cacert",
                        pki().ca(), "https://localhost:" + port + "/"});
            Child py({"/usr/bin/python3", "-c", script, pki().ca(), port});
            int status = -1;
            for (int i = 0; i < 1000 && (status = curl.wait(0ms)) < 0; ++i) co_await sleep(10ms);
            std::string py_line;
            for (int i = 0; i < 1000 && py.wait(0ms) < 0; ++i) co_await sleep(10ms);
            py_line = py.read_line(1s);
            std::string out = curl.read_all(1s);
            server.close();
            co_return std::tuple{out, status, py_line};
        });
    CHECK(curl_status == 0);
    CHECK(curl_out == "hello http/1.1\n");
    CHECK(py_out == "hello http/1.1");  // Python's recv saw close_notify: a clean end
}

TEST_CASE("open_connection throws the certificate failure naming the host", "[tls]") {
    for (auto [cert, reason] : {std::pair{&pki().expired, Reason::Expired},
                                std::pair{&pki().wrong_host, Reason::WrongHost},
                                std::pair{&pki().unknown_ca, Reason::UnknownCa}}) {
        auto [got, what] = run_bounded([&]() -> Coro<std::pair<Reason, std::string>> {
            auto handler = [](Stream) -> Coro<void> { co_return; };
            Server server = co_await start_server(handler, "127.0.0.1", 0, tls_server(*cert));
            std::pair<Reason, std::string> r{Reason::Other, "(no error)"};
            try {
                co_await open_connection("localhost", server.port(), tls_options());
            } catch (const tls::CertificateError& e) {
                r = {e.reason(), e.what()};
            }
            r.second += " port " + std::to_string(server.port());
            server.close();
            co_return r;
        });
        CHECK(got == reason);
        CHECK_THAT(what, Catch::Contains("localhost:"));
    }
}

TEST_CASE("tls to a plain-HTTP port, and to a silent one, fail clearly", "[tls]") {
    corio_test::NginxTlsPeer nginx(pki().good);
    uint16_t silent_port = 0;
    int silent = corio_test::raw_listen(silent_port, 4);  // accepts (backlog) but never answers
    auto [plain, timeout] = run_bounded([&]() -> Coro<std::pair<std::string, std::string>> {
        std::pair<std::string, std::string> r{"(no error)", "(no error)"};
        try {
            co_await open_connection("localhost", nginx.plain_port(), tls_options());
        } catch (const tls::NotTlsError& e) {
            r.first = e.what();
        }
        try {
            co_await open_connection("127.0.0.1", silent_port, tls_options(200ms));
        } catch (const TimeoutError& e) {
            r.second = e.what();
        }
        co_return r;
    });
    ::close(silent);
    CHECK(plain == "the server at localhost:" + std::to_string(nginx.plain_port()) +
                       " did not answer TLS; is it plain HTTP?");
    CHECK_THAT(timeout,
               Catch::Contains("TLS handshake with 127.0.0.1:") && Catch::Contains("timed out"));
}

TEST_CASE("a peer that ends without close_notify makes the read throw, not end", "[tls]") {
    auto server_ctx =
        tls::server_context({.cert_file = pki().good.cert, .key_file = pki().good.key});
    std::string what = run_bounded([&]() -> Coro<std::string> {
        auto handler = [&](Stream s) -> Coro<void> {
            corio_test::TlsOverStream t(std::move(s), server_ctx->open("127.0.0.1", 0));
            co_await t.handshake();
            co_await t.write("partial");
            co_await t.close(false);
        };
        Server server = co_await start_server(handler, "127.0.0.1", 0);
        Stream s = co_await open_connection("localhost", server.port(), tls_options());
        std::string r = "(no error)";
        try {
            std::string got = co_await s.read_exactly(100);
        } catch (const tls::TruncatedError& e) {
            r = e.what();
        }
        server.close();
        co_return r;
    });
    CHECK_THAT(what, Catch::Contains("without close_notify"));
}
