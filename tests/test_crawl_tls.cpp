// crawl over https: --cacert and --insecure turned into the client's options and fetching from
// nginx over TLS, each real TLS failure turned into its short JSON kind, and the crawl binary
// reporting an untrusted server as a "TLS: unknown CA" line, counted in the summary, exit 1.
#include <catch2/catch.hpp>

#include "../tools/crawl/failure.hpp"
#include "../tools/crawl/options.hpp"
#include "corio/http/client.hpp"
#include "corio/tls.hpp"
#include "crawl_support.hpp"
#include "tls_support.hpp"

using namespace corio;
using namespace std::chrono_literals;
using corio::http::ClientSession;

namespace {

const corio_test::TestPki& pki() { return corio_test::test_pki(); }

crawl::Options parse(std::vector<std::string> args) {
    return crawl::parse_options(args, [](const char*) { return std::optional<std::string>(); });
}

// What crawl writes for one GET of url by a client made from crawl's flags: "200" or the kind.
Coro<std::string> outcome(std::vector<std::string> flags, std::string url) {
    flags.push_back(url);
    http::ClientOptions c;
    crawl::apply_tls(parse(flags), c);
    ClientSession session(c);
    try {
        http::Response r = co_await wait_for(session.get(url), 10s);
        co_return std::to_string(r.status);
    } catch (...) {
        co_return crawl::classify(std::current_exception()).kind;
    }
}

std::string https_url(uint16_t port) {
    return "https://localhost:" + std::to_string(port) + "/page.txt";
}

ServerOptions tls_server(const corio_test::CertPair& c) {
    ServerOptions o;
    o.tls = tls::server_context({.cert_file = c.cert, .key_file = c.key});
    return o;
}

}  // namespace

TEST_CASE("crawl's TLS flags fetch from nginx over https; without them the CA is unknown",
          "[crawl][tls]") {
    corio_test::NginxTlsPeer nginx(pki().good);
    corio_test::NginxTlsPeer untrusted(pki().unknown_ca);
    std::string url = https_url(nginx.tls_port());
    auto got = corio::run([&]() -> Coro<std::vector<std::string>> {
        // Named flag lists: a braced list inside co_await does not compile with g++ 12.
        const std::vector<std::string> cacert{"--cacert", pki().ca()}, none, insecure{"--insecure"};
        std::vector<std::string> r;
        r.push_back(co_await outcome(cacert, url));
        r.push_back(co_await outcome(none, url));
        r.push_back(co_await outcome(insecure, https_url(untrusted.tls_port())));
        r.push_back(co_await outcome(cacert, https_url(untrusted.tls_port())));
        r.push_back(co_await outcome(cacert, https_url(nginx.plain_port())));
        co_return r;
    }());
    CHECK(got == std::vector<std::string>{"200", "TLS: unknown CA", "200", "TLS: unknown CA",
                                          "TLS: not a TLS server"});
}

TEST_CASE("each TLS failure gets its own short kind", "[crawl][tls]") {
    auto server_ctx =
        tls::server_context({.cert_file = pki().good.cert, .key_file = pki().good.key});
    auto got = corio::run(wait_for(
        [&]() -> Coro<std::vector<std::string>> {
            const std::vector<std::string> cacert{"--cacert", pki().ca()};
            std::vector<std::string> r;
            auto answer = [](Stream s) -> Coro<void> {
                co_await s.read_until("\r\n\r\n");
                s.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                co_await s.drain();
            };
            for (const auto* cert : {&pki().expired, &pki().wrong_host, &pki().good}) {
                Server s = co_await start_server(answer, "127.0.0.1", 0, tls_server(*cert));
                r.push_back(co_await outcome(cacert, https_url(s.port())));
                s.close();
            }
            auto cut = [&](Stream s) -> Coro<void> {  // a body cut without close_notify
                corio_test::TlsOverStream t(std::move(s), server_ctx->open("127.0.0.1", 0));
                co_await t.handshake();
                co_await t.read();
                co_await t.write("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nhalf");
                co_await t.close(false);
            };
            Server s = co_await start_server(cut, "127.0.0.1", 0);
            r.push_back(co_await outcome(cacert, https_url(s.port())));
            s.close();
            co_return r;
        }(),
        30s));
    CHECK(got == std::vector<std::string>{"TLS: certificate expired", "TLS: wrong host", "200",
                                          "TLS: truncated"});
    CHECK(crawl::classify(std::make_exception_ptr(tls::TruncatedError("x"))).retryable);
    CHECK_FALSE(crawl::classify(std::make_exception_ptr(tls::CertificateError(
                                    "x", tls::CertificateError::Reason::Expired)))
                    .retryable);
    CHECK(crawl::classify(std::make_exception_ptr(tls::CertificateError(
                              "x", tls::CertificateError::Reason::NotYetValid)))
              .kind == "TLS: certificate not yet valid");
    CHECK(
        crawl::classify(std::make_exception_ptr(tls::TlsError("bad record mac (from h:1)"))).kind ==
        "TLS: bad record mac (from h:1)");
}

TEST_CASE("the crawl binary reports an untrusted https server per URL and exits 1",
          "[crawl][tls]") {
    corio_test::NginxTlsPeer nginx(pki().good);
    std::string url = https_url(nginx.tls_port());
    crawl_test::CrawlResult r = crawl_test::run_crawl({"--retries", "0", "--no-progress", url});
    CHECK(r.status == 1);
    auto lines = crawl_test::parse_json_lines(r.out);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0]["url"] == url);
    CHECK(lines[0]["error"] == "TLS: unknown CA");
    CHECK_THAT(r.err, Catch::Contains("TLS: unknown CA 1"));
    crawl_test::CrawlResult bad = crawl_test::run_crawl({"--cacert", "/no/such.pem", url});
    CHECK(bad.status == 2);
    CHECK_THAT(bad.err, Catch::Contains("--cacert: cannot read '/no/such.pem'"));
    CHECK(bad.out.empty());
}
