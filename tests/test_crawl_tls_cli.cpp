// The crawl binary over https: --cacert trusts the test CA, --insecure accepts a certificate from
// a CA nobody trusts (issue 13). Needs engine.cpp to pass the flags on (crawl::apply_tls).
#include <catch2/catch.hpp>

#include "crawl_support.hpp"
#include "tls_support.hpp"

namespace {

std::string https_url(uint16_t port) {
    return "https://localhost:" + std::to_string(port) + "/page.txt";
}

}  // namespace

TEST_CASE("crawl --cacert and --insecure fetch over https", "[crawl][tls]") {
    const corio_test::TestPki& pki = corio_test::test_pki();
    corio_test::NginxTlsPeer nginx(pki.good);
    corio_test::NginxTlsPeer untrusted(pki.unknown_ca);
    crawl_test::CrawlResult trusted =
        crawl_test::run_crawl({"--cacert", pki.ca(), "--no-progress", https_url(nginx.tls_port())});
    crawl_test::CrawlResult lax =
        crawl_test::run_crawl({"--insecure", "--no-progress", https_url(untrusted.tls_port())});
    for (const crawl_test::CrawlResult* r : {&trusted, &lax}) {
        CHECK(r->status == 0);
        auto lines = crawl_test::parse_json_lines(r->out);
        REQUIRE(lines.size() == 1);
        CHECK(lines[0]["status"] == "200");
        CHECK(lines[0]["error"] == "null");
        CHECK(lines[0]["bytes"] == "13");
    }
}

TEST_CASE("following links, a robots.txt that fails TLS lets each page name the TLS failure",
          "[crawl][tls]") {
    // RFC 9309 would read an unreachable robots.txt as "disallow all"; a certificate the crawler
    // rejects is the crawler's doing, so the page says which check failed instead.
    const corio_test::TestPki& pki = corio_test::test_pki();
    corio_test::NginxTlsPeer untrusted(pki.unknown_ca);
    crawl_test::CrawlResult r = crawl_test::run_crawl(
        {"--depth", "1", "--retries", "0", "--no-progress", https_url(untrusted.tls_port())});
    CHECK(r.status == 1);
    auto lines = crawl_test::parse_json_lines(r.out);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0]["error"] == "TLS: unknown CA");
}
