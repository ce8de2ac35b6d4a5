// The TLS engine without sockets: a client and a server transport made by corio::tls contexts,
// with bytes pumped between them in memory. Handshake, data, close_notify, truncation, the
// certificate failures, plain-HTTP peers, resumption and reload. Certificates from TestPki.
#include <catch2/catch.hpp>
#include <filesystem>

#include "corio/tls.hpp"
#include "tls_support.hpp"

using corio_test::TestPki;
using namespace corio;
using Reason = tls::CertificateError::Reason;

namespace {

const TestPki& pki() {
    static TestPki p;  // made once per binary: a few openssl runs
    return p;
}

std::shared_ptr<tls::ServerContext> server_for(const corio_test::CertPair& c) {
    return tls::server_context(tls::ServerOptions{.cert_file = c.cert, .key_file = c.key});
}

std::shared_ptr<tls::ClientContext> trusting_client(size_t cache = 256) {
    return tls::client_context(tls::ClientOptions{
        .system_trust = false, .ca_file = pki().ca(), .session_cache_size = cache});
}

// Two transports joined in memory. Each side's output goes to the other's receive().
struct Link {
    std::unique_ptr<Transport> client, server;
    std::string to_server, to_client;  // bytes on the wire, not yet delivered
    std::string client_got, server_got;

    Link(TransportFactory& c, TransportFactory& s, std::string host = "localhost",
         uint16_t port = 443)
        : client(c.open(host, port)), server(s.open("127.0.0.1", 50000)) {
        client->start(to_server);
    }
    // Delivers bytes both ways until neither side has anything more to say.
    void pump() {
        for (int i = 0; i < 100 && (!to_server.empty() || !to_client.empty()); ++i) {
            std::string in = std::move(to_server);
            to_server.clear();
            server->receive(in, server_got, to_client);
            in = std::move(to_client);
            to_client.clear();
            client->receive(in, client_got, to_server);
        }
    }
};

// The exception a pump throws, as a CertificateError reason and message.
template <class E>
std::string pump_error(Link& link) {
    try {
        link.pump();
    } catch (const E& e) {
        return e.what();
    }
    return "(no error)";
}

Reason cert_failure(TransportFactory& server, const std::string& host,
                    std::string* what = nullptr) {
    auto client = trusting_client();
    Link link(*client, server, host);
    try {
        link.pump();
    } catch (const tls::CertificateError& e) {
        if (what) *what = e.what();
        return e.reason();
    }
    FAIL("the handshake with " << host << " did not fail on the certificate");
    return Reason::Other;
}

}  // namespace

TEST_CASE("a client and a server engine handshake in memory and agree on http/1.1", "[tls]") {
    auto server = server_for(pki().good);
    auto client = trusting_client();
    Link link(*client, *server);
    CHECK_FALSE(link.to_server.empty());  // the ClientHello
    CHECK_FALSE(link.client->ready());
    link.pump();
    CHECK(link.client->ready());
    CHECK(link.server->ready());
    CHECK(link.client->protocol() == "http/1.1");
    CHECK(link.server->protocol() == "http/1.1");
    CHECK_FALSE(client->insecure());
}

TEST_CASE("data flows both ways, large writes included, and early writes wait for the handshake",
          "[tls]") {
    auto server = server_for(pki().good);
    auto client = trusting_client();
    Link link(*client, *server);
    link.client->send("GET / HTTP/1.1\r\n\r\n", link.to_server);  // before the handshake
    link.pump();
    CHECK(link.server_got == "GET / HTTP/1.1\r\n\r\n");
    std::string big(1 << 20, 'x');
    for (size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>('a' + i % 26);
    link.server->send(big, link.to_client);
    CHECK(link.to_client.size() > big.size());  // records and their overhead
    link.pump();
    CHECK(link.client_got == big);
}

TEST_CASE("close_notify ends the stream cleanly; an end without it is truncation", "[tls]") {
    auto server = server_for(pki().good);
    auto client = trusting_client();
    Link link(*client, *server);
    link.pump();
    link.server->send("last words", link.to_client);
    link.server->close(link.to_client);
    link.server->close(link.to_client);  // idempotent
    link.pump();
    CHECK(link.client_got == "last words");
    CHECK(link.client->input_closed());
    CHECK_NOTHROW(link.client->end_of_input());
    CHECK_THROWS_AS(link.server->send("more", link.to_client), tls::TlsError);

    Link cut(*client, *server);
    cut.pump();
    cut.server->send("partial bo", cut.to_client);
    cut.pump();
    CHECK_FALSE(cut.client->input_closed());
    try {
        cut.client->end_of_input();
        FAIL("a stream cut without close_notify ended cleanly");
    } catch (const tls::TruncatedError& e) {
        CHECK_THAT(e.what(), Catch::Contains("localhost:443") && Catch::Contains("close_notify"));
    }
}

TEST_CASE("an end of stream during the handshake is an error naming the server", "[tls]") {
    auto client = trusting_client();
    auto none = client->open("localhost", 8443);
    std::string out;
    none->start(out);
    CHECK_THROWS_WITH(none->end_of_input(),
                      Catch::Contains("localhost:8443") && Catch::Contains("plain HTTP"));

    auto server = server_for(pki().good);
    Link link(*client, *server);
    link.server->receive(link.to_server, link.server_got, link.to_client);
    link.client->receive(link.to_client.substr(0, 10), link.client_got, link.to_server);
    CHECK_THROWS_AS(link.client->end_of_input(), tls::TlsError);
}

TEST_CASE("certificate failures say what is wrong and name the host", "[tls]") {
    std::string what;
    auto expired = server_for(pki().expired);
    CHECK(cert_failure(*expired, "localhost", &what) == Reason::Expired);
    CHECK_THAT(what, Catch::Contains("localhost:443") && Catch::Contains("expired"));

    auto wrong = server_for(pki().wrong_host);
    CHECK(cert_failure(*wrong, "localhost", &what) == Reason::WrongHost);
    CHECK_THAT(what, Catch::Contains("localhost:443") && Catch::Contains("wrong host"));

    auto unknown = server_for(pki().unknown_ca);
    CHECK(cert_failure(*unknown, "127.0.0.1", &what) == Reason::UnknownCa);
    CHECK_THAT(
        what, Catch::Contains("127.0.0.1:443") && Catch::Contains("unknown certificate authority"));

    auto good = server_for(pki().good);
    CHECK(cert_failure(*good, "127.0.0.2", &what) == Reason::WrongHost);  // IP SAN checked
    CHECK_THAT(what, Catch::Contains("127.0.0.2:443"));
}

TEST_CASE("the good certificate verifies by name, IPv4 and IPv6 address", "[tls]") {
    auto server = server_for(pki().good);
    auto client = trusting_client();
    for (std::string host : {"localhost", "127.0.0.1", "::1", "[::1]"}) {
        Link link(*client, *server, host);
        CHECK_NOTHROW(link.pump());
        CHECK(link.client->ready());
    }
}

TEST_CASE("the server hears why the client refused its certificate", "[tls]") {
    auto server = server_for(pki().unknown_ca);
    auto client = trusting_client();
    Link link(*client, *server);
    link.server->receive(link.to_server, link.server_got, link.to_client);
    link.to_server.clear();
    CHECK_THROWS_AS(link.client->receive(link.to_client, link.client_got, link.to_server),
                    tls::CertificateError);
    REQUIRE_FALSE(link.to_server.empty());  // the alert
    CHECK_THROWS_WITH(link.server->receive(link.to_server, link.server_got, link.to_client),
                      Catch::Contains("127.0.0.1:50000") && Catch::Contains("unknown ca"));
}

TEST_CASE("trust defaults to the system store, which does not hold the test CA", "[tls]") {
    auto server = server_for(pki().good);
    auto client = tls::client_context();
    Link link(*client, *server);
    try {
        link.pump();
        FAIL("the test CA was trusted without being given");
    } catch (const tls::CertificateError& e) {
        CHECK(e.reason() == Reason::UnknownCa);
    }
}

TEST_CASE("the insecure switch accepts any certificate and says so", "[tls]") {
    auto client = tls::client_context(tls::ClientOptions{.insecure = true});
    CHECK(client->insecure());
    for (auto* pair : {&pki().expired, &pki().wrong_host, &pki().unknown_ca}) {
        auto server = server_for(*pair);
        Link link(*client, *server);
        CHECK_NOTHROW(link.pump());
        CHECK(link.client->ready());
    }
}

TEST_CASE("a plain-HTTP peer is told apart from a TLS failure", "[tls]") {
    auto client = trusting_client();
    auto t = client->open("localhost", 8080);
    std::string out, plain;
    t->start(out);
    try {
        t->receive("HTTP/1.1 400 Bad Request\r\n\r\n", plain, out);
        FAIL("a plain HTTP answer was taken for TLS");
    } catch (const tls::NotTlsError& e) {
        CHECK(std::string(e.what()) ==
              "the server at localhost:8080 did not answer TLS; is it plain HTTP?");
    }
    CHECK_THROWS_AS(t->receive("more", plain, out), tls::TlsError);  // stays failed

    auto server = server_for(pki().good);
    auto s = server->open("127.0.0.1", 40000);
    CHECK_THROWS_AS(s->receive("GET / HTTP/1.1\r\n", plain, out), tls::NotTlsError);
}

TEST_CASE("a corrupted record is an error, not garbage data", "[tls]") {
    auto server = server_for(pki().good);
    auto client = trusting_client();
    Link link(*client, *server);
    link.pump();
    link.client->send("hello", link.to_server);
    link.to_server[link.to_server.size() - 3] ^= 0x40;
    CHECK_THROWS_AS(link.pump(), tls::TlsError);
    CHECK(link.server_got.empty());
}

TEST_CASE("a second connection to the same host resumes the session", "[tls]") {
    auto server = server_for(pki().good);
    auto client = trusting_client();
    Link first(*client, *server);
    first.pump();
    CHECK_FALSE(tls::session_resumed(*first.client));
    CHECK(client->cached_sessions() == 1);
    Link second(*client, *server);
    second.pump();
    CHECK(tls::session_resumed(*second.client));
    CHECK(tls::session_resumed(*second.server));
    Link other_port(*client, *server, "localhost", 444);
    other_port.pump();
    CHECK_FALSE(tls::session_resumed(*other_port.client));

    auto no_cache = trusting_client(0);
    Link a(*no_cache, *server), b(*no_cache, *server);
    a.pump();
    b.pump();
    CHECK_FALSE(tls::session_resumed(*b.client));
    CHECK(no_cache->cached_sessions() == 0);
}

TEST_CASE("a server reloads its certificate; open connections keep theirs", "[tls]") {
    namespace fs = std::filesystem;
    std::string cert = pki().dir() + "/reload.pem", key = pki().dir() + "/reload.key";
    fs::copy_file(pki().good.cert, cert, fs::copy_options::overwrite_existing);
    fs::copy_file(pki().good.key, key, fs::copy_options::overwrite_existing);
    auto server = tls::server_context(tls::ServerOptions{.cert_file = cert, .key_file = key});
    auto client = trusting_client(0);
    Link before(*client, *server);
    before.pump();

    fs::copy_file(pki().wrong_host.cert, cert, fs::copy_options::overwrite_existing);
    fs::copy_file(pki().wrong_host.key, key, fs::copy_options::overwrite_existing);
    server->reload();
    CHECK(cert_failure(*server, "localhost") == Reason::WrongHost);
    before.client->send("still here", before.to_server);
    before.pump();
    CHECK(before.server_got == "still here");

    fs::copy_file(pki().good.key, key, fs::copy_options::overwrite_existing);  // mismatched pair
    CHECK_THROWS_WITH(server->reload(), Catch::Contains("does not match"));
    CHECK(cert_failure(*server, "localhost") == Reason::WrongHost);  // the old one stays
}

TEST_CASE("unreadable files and bad options are clear errors", "[tls]") {
    CHECK_THROWS_WITH(tls::client_context(tls::ClientOptions{.ca_file = "/nonexistent/ca.pem"}),
                      Catch::Contains("/nonexistent/ca.pem"));
    CHECK_THROWS_WITH(tls::server_context(tls::ServerOptions{.cert_file = "/nonexistent/c.pem",
                                                             .key_file = pki().good.key}),
                      Catch::Contains("/nonexistent/c.pem"));
    CHECK_THROWS_WITH(tls::server_context(tls::ServerOptions{.cert_file = pki().good.cert,
                                                             .key_file = pki().expired.key}),
                      Catch::Contains("does not match"));
    CHECK_THROWS_AS(tls::server_context(tls::ServerOptions{}), tls::TlsError);
    CHECK_THROWS_AS(tls::client_context(tls::ClientOptions{.alpn = {""}}), tls::TlsError);
}
