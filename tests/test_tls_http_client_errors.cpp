// https:// failures in http::ClientSession, each a distinct error naming the host: certificate
// expired, wrong host, unknown CA (and the system store alone not trusting the test CA), a
// plain-HTTP port on an https URL, a body cut without close_notify, a silent handshake; and
// what holds them apart: the insecure switch, http and https pooled apart, redirects across.
#include <unistd.h>

#include <catch2/catch.hpp>

#include "corio/http/client.hpp"
#include "corio/tls.hpp"
#include "http_client_fixture.hpp"
#include "tls_support.hpp"

using namespace corio;
using namespace std::chrono_literals;
using corio::http::ClientOptions;
using corio::http::ClientSession;
using corio::http::Response;
using corio_test::TestPki;
using corio_test::trusting_test_ca;
using Reason = tls::CertificateError::Reason;

namespace {

const TestPki& pki() { return corio_test::test_pki(); }

std::string url_of(const char* scheme, uint16_t port, const std::string& path = "/") {
    return std::string(scheme) + "://localhost:" + std::to_string(port) + path;
}

template <class F>
auto run_bounded(F f) {
    return corio::run(wait_for(f(), 30s));
}

ServerOptions tls_server(const corio_test::CertPair& c) {
    ServerOptions o;
    o.tls = tls::server_context({.cert_file = c.cert, .key_file = c.key});
    return o;
}

// Answers every request with its path, on a plain or a TLS server alike.
corio_test::Handler echo_path() {
    return corio_test::answer(
        [](const corio_test::RawRequest& req) { return corio_test::ok("at " + req.target()); });
}

struct Caught {
    std::string type;  // the most derived of the types the client documents
    std::string what;
    Reason reason = Reason::Other;
};

Coro<Caught> caught(Coro<Response> request) {
    Caught c{"(none)", "", Reason::Other};
    try {
        co_await wait_for(std::move(request), 10s);
    } catch (const tls::CertificateError& e) {
        c = {"CertificateError", e.what(), e.reason()};
    } catch (const tls::NotTlsError& e) {
        c = {"NotTlsError", e.what()};
    } catch (const tls::TruncatedError& e) {
        c = {"TruncatedError", e.what()};
    } catch (const tls::TlsError& e) {
        c = {"TlsError", e.what()};
    } catch (const TimeoutError& e) {
        c = {"TimeoutError", e.what()};
    } catch (const http::ProtocolError& e) {
        c = {"ProtocolError", e.what()};
    } catch (const ConnectionError& e) {
        c = {"ConnectionError", e.what()};
    } catch (const std::exception& e) {
        c = {"other", e.what()};
    }
    co_return c;
}

}  // namespace

TEST_CASE("expired, wrong host, unknown CA and plain HTTP are distinct errors naming the host",
          "[tls][http][client]") {
    corio_test::NginxTlsPeer nginx(pki().good);  // its plain port answers plain HTTP
    std::vector<std::pair<const corio_test::CertPair*, Reason>> certs{
        {&pki().expired, Reason::Expired},
        {&pki().wrong_host, Reason::WrongHost},
        {&pki().unknown_ca, Reason::UnknownCa}};
    std::vector<std::string> messages;
    for (auto [cert, reason] : certs) {
        auto [c, port] = run_bounded([&]() -> Coro<std::pair<Caught, uint16_t>> {
            Server server = co_await start_server(echo_path(), "127.0.0.1", 0, tls_server(*cert));
            ClientSession session(trusting_test_ca());
            Caught c = co_await caught(session.get(url_of("https", server.port())));
            server.close();
            co_return std::pair{c, server.port()};
        });
        CHECK(c.type == "CertificateError");
        CHECK(c.reason == reason);
        CHECK_THAT(c.what, Catch::Contains("localhost:" + std::to_string(port)));
        messages.push_back(c.what);
    }
    CHECK_THAT(messages[0], Catch::Contains("expired"));
    CHECK_THAT(messages[1], Catch::Contains("wrong host"));
    CHECK_THAT(messages[2], Catch::Contains("unknown certificate authority"));
    CHECK_THAT(messages[0] + messages[2], !Catch::Contains("wrong host"));
    Caught plain = run_bounded([&]() -> Coro<Caught> {
        ClientSession session(trusting_test_ca());
        co_return co_await caught(session.get(url_of("https", nginx.plain_port())));
    });
    CHECK(plain.type == "NotTlsError");
    CHECK(plain.what == "the server at localhost:" + std::to_string(nginx.plain_port()) +
                            " did not answer TLS; is it plain HTTP?");
}

TEST_CASE("the system store alone rejects the test CA; insecure accepts an unknown CA",
          "[tls][http][client]") {
    corio_test::NginxTlsPeer nginx(pki().good);
    auto [system_only, insecure, bad_file] =
        run_bounded([&]() -> Coro<std::tuple<Caught, Response, Caught>> {
            ClientSession by_default;  // system_trust, no ca_file
            Caught system_only = co_await caught(by_default.get(url_of("https", nginx.tls_port())));
            Server server =
                co_await start_server(echo_path(), "127.0.0.1", 0, tls_server(pki().unknown_ca));
            ClientOptions o;
            o.insecure = true;
            ClientSession lax(o);
            Response r = co_await lax.get(url_of("https", server.port(), "/any"));
            ClientOptions missing = trusting_test_ca();
            missing.ca_file = pki().dir() + "/no-such-ca.pem";
            ClientSession broken(missing);
            Caught bad_file = co_await caught(broken.get(url_of("https", nginx.tls_port())));
            server.close();
            co_return std::tuple{system_only, r, bad_file};
        });
    CHECK(system_only.type == "CertificateError");
    CHECK(system_only.reason == Reason::UnknownCa);
    CHECK(insecure.status == 200);
    CHECK(insecure.body == "at /any");
    CHECK(bad_file.type == "TlsError");
    CHECK_THAT(bad_file.what, Catch::Contains("no-such-ca.pem"));
}

TEST_CASE("http://h:p and https://h:p never share a pooled connection", "[tls][http][client]") {
    corio_test::NginxTlsPeer nginx(pki().good);
    auto [plain_on_tls, tls_on_plain, opened] =
        run_bounded([&]() -> Coro<std::tuple<Response, Caught, size_t>> {
            ClientSession session(trusting_test_ca());
            // A kept-alive TLS connection to the https port, then plain HTTP to that same
            // host:port: sharing the pool would answer it over TLS; kept apart, nginx sees plain
            // HTTP on its TLS port and says so.
            Response a = co_await session.get(url_of("https", nginx.tls_port(), "/page.txt"));
            REQUIRE(a.body == "a plain page\n");
            Response plain_on_tls = co_await session.get(url_of("http", nginx.tls_port()));
            Response b = co_await session.get(url_of("http", nginx.plain_port(), "/page.txt"));
            REQUIRE(b.body == "a plain page\n");
            Caught tls_on_plain = co_await caught(session.get(url_of("https", nginx.plain_port())));
            size_t opened = session.connections_opened();
            co_await session.close();
            co_return std::tuple{plain_on_tls, tls_on_plain, opened};
        });
    CHECK(plain_on_tls.status == 400);
    CHECK_THAT(plain_on_tls.body, Catch::Contains("plain HTTP request was sent to HTTPS port"));
    CHECK(tls_on_plain.type == "NotTlsError");
    CHECK(opened == 3);  // the fourth never opened: its handshake failed
}

TEST_CASE("redirects cross from http to https and back, credentials left behind",
          "[tls][http][client]") {
    uint16_t plain_port = 0, tls_port = 0;
    auto plain = corio_test::answer([&](const corio_test::RawRequest& req) -> std::string {
        if (req.target() == "/start") {
            return "HTTP/1.1 301 Moved\r\nLocation: " + url_of("https", tls_port, "/secure") +
                   "\r\nContent-Length: 0\r\n\r\n";
        }
        return corio_test::ok("plain " + req.target() +
                              (req.has("Authorization:") ? " with credentials" : ""));
    });
    auto secure = corio_test::answer([&](const corio_test::RawRequest& req) -> std::string {
        if (req.target() == "/secure") {
            return "HTTP/1.1 302 Found\r\nLocation: " + url_of("http", plain_port, "/end") +
                   "\r\nContent-Length: 0\r\n\r\n";
        }
        return corio_test::ok("secure " + req.target());
    });
    Response r = run_bounded([&]() -> Coro<Response> {
        Server p = co_await start_server(plain, "127.0.0.1", 0);
        Server s = co_await start_server(secure, "127.0.0.1", 0, tls_server(pki().good));
        plain_port = p.port();
        tls_port = s.port();
        ClientSession session(trusting_test_ca());
        http::Headers h;
        h.add("Authorization", "Bearer secret");
        Response r = co_await session.request("GET", url_of("http", plain_port, "/start"), h);
        co_await session.close();
        p.close();
        s.close();
        co_return r;
    });
    CHECK(r.status == 200);
    CHECK(r.body == "plain /end");  // Authorization went to the first origin only
    CHECK(r.url.str() == url_of("http", plain_port, "/end"));
    REQUIRE(r.history.size() == 2);
    CHECK(r.history[0].str() == url_of("http", plain_port, "/start"));
    CHECK(r.history[1].str() == url_of("https", tls_port, "/secure"));
}

TEST_CASE("a body cut without close_notify is TruncatedError, not a short body",
          "[tls][http][client]") {
    auto server_ctx =
        tls::server_context({.cert_file = pki().good.cert, .key_file = pki().good.key});
    // Content-Length promises 100 bytes, or no length at all (the body runs to the close).
    for (std::string head : {"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n",
                             "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"}) {
        auto [c, port] = run_bounded([&]() -> Coro<std::pair<Caught, uint16_t>> {
            auto handler = [&](Stream s) -> Coro<void> {
                corio_test::TlsOverStream t(std::move(s), server_ctx->open("127.0.0.1", 0));
                co_await t.handshake();
                co_await t.read();  // the request
                co_await t.write(head + "only ten b");
                co_await t.close(false);  // TCP FIN without close_notify
            };
            Server server = co_await start_server(handler, "127.0.0.1", 0);
            ClientSession session(trusting_test_ca());
            Caught c = co_await caught(session.get(url_of("https", server.port())));
            server.close();
            co_return std::pair{c, server.port()};
        });
        CHECK(c.type == "TruncatedError");
        CHECK_THAT(c.what, Catch::Contains("localhost:" + std::to_string(port)) &&
                               Catch::Contains("without close_notify"));
    }
}

TEST_CASE("a silent server on an https URL is a connect timeout naming TLS and the host",
          "[tls][http][client]") {
    uint16_t port = 0;
    int silent = corio_test::raw_listen(port, 4);  // accepts (backlog) but never answers
    Caught c = run_bounded([&]() -> Coro<Caught> {
        ClientOptions o = trusting_test_ca();
        o.timeout.connect = 200ms;
        ClientSession session(o);
        co_return co_await caught(session.get(url_of("https", port)));
    });
    ::close(silent);
    CHECK(c.type == "TimeoutError");
    CHECK_THAT(c.what, Catch::StartsWith("connect timeout") && Catch::Contains("TLS") &&
                           Catch::Contains("localhost:" + std::to_string(port)));
}
