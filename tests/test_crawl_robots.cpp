// robots.txt as RFC 9309 reads it, checked on the RFC's own examples and on the corner cases a
// crawler meets: group selection, merging, longest match, ties, '*' and '$', encodings.
#include <catch2/catch.hpp>

#include "../tools/crawl/robots.hpp"

using crawl::Robots;

namespace {

// RFC 9309 section 5.1.
constexpr const char* kRfcExample =
    "User-Agent: *\n"
    "Disallow: *.gif$\n"
    "Disallow: /example/\n"
    "Allow: /publications/\n"
    "\n"
    "User-Agent: foobot\n"
    "Disallow:/\n"
    "Allow:/example/page.html\n"
    "Allow:/example/allowed.gif\n"
    "\n"
    "User-Agent: barbot\n"
    "User-Agent: bazbot\n"
    "Disallow: /example/page.html\n"
    "\n"
    "User-Agent: quxbot\n";

}  // namespace

TEST_CASE("robots: the RFC 9309 example, group by group", "[crawl][robots]") {
    Robots star = Robots::parse(kRfcExample, "otherbot");
    REQUIRE_FALSE(star.allowed("/a/b.gif"));
    REQUIRE(star.allowed("/a/b.gif?x=1"));  // '$' anchors the end
    REQUIRE_FALSE(star.allowed("/example/x"));
    REQUIRE(star.allowed("/publications/x"));
    REQUIRE(star.allowed("/"));

    Robots foo = Robots::parse(kRfcExample, "FooBot");  // product tokens match in any case
    REQUIRE_FALSE(foo.allowed("/"));
    REQUIRE_FALSE(foo.allowed("/example/"));
    REQUIRE(foo.allowed("/example/page.html"));
    REQUIRE(foo.allowed("/example/allowed.gif"));
    REQUIRE_FALSE(foo.allowed("/publications/"));

    for (const char* bot : {"barbot", "bazbot"}) {
        Robots r = Robots::parse(kRfcExample, bot);
        REQUIRE_FALSE(r.allowed("/example/page.html"));
        REQUIRE(r.allowed("/example/other.html"));
        REQUIRE(r.allowed("/x.gif"));  // their group, not '*', applies
    }
    Robots qux = Robots::parse(kRfcExample, "quxbot");  // an empty group allows everything
    REQUIRE(qux.rule_count() == 0);
    REQUIRE(qux.allowed("/example/x.gif"));
}

TEST_CASE("robots: the longest match wins and Allow wins a tie", "[crawl][robots]") {
    Robots r = Robots::parse(
        "User-Agent: foobot\nAllow: /example/page/\nDisallow: /example/page/disallowed.gif\n",
        "foobot");
    REQUIRE(r.allowed("/example/page/"));
    REQUIRE(r.allowed("/example/page/other.gif"));
    REQUIRE_FALSE(r.allowed("/example/page/disallowed.gif"));

    Robots tie = Robots::parse("user-agent: *\ndisallow: /same\nallow: /same\n", "x");
    REQUIRE(tie.allowed("/same/thing"));
    Robots tie2 = Robots::parse("user-agent: *\nallow: /a*c\ndisallow: /abc\n", "x");
    REQUIRE(tie2.allowed("/abc"));
    Robots longer = Robots::parse("user-agent: *\nallow: /a\ndisallow: /ab\n", "x");
    REQUIRE_FALSE(longer.allowed("/abc"));
    REQUIRE(longer.allowed("/ax"));
}

TEST_CASE("robots: groups for one agent merge; rules before any group are ignored",
          "[crawl][robots]") {
    Robots r = Robots::parse(
        "Disallow: /orphan\n"
        "user-agent: ExampleBot\ndisallow: /foo\ndisallow: /bar\n\n"
        "user-agent: *\ndisallow: /star\n"
        "user-agent: examplebot\ndisallow: /baz\n",
        "examplebot");
    REQUIRE_FALSE(r.allowed("/foo"));
    REQUIRE_FALSE(r.allowed("/bar/x"));
    REQUIRE_FALSE(r.allowed("/baz"));
    REQUIRE(r.allowed("/star"));
    REQUIRE(r.allowed("/orphan"));
}

TEST_CASE("robots: the user agent's product token picks the group", "[crawl][robots]") {
    REQUIRE(crawl::product_token("corio-crawl/1.0 (+https://x)") == "corio-crawl");
    REQUIRE(crawl::product_token("  bot") == "bot");
    Robots r = Robots::parse("User-agent: Corio-Crawl/2.0\nDisallow: /private\n", "corio-crawl");
    REQUIRE_FALSE(r.allowed("/private/a"));
    Robots other = Robots::parse("User-agent: corio\nDisallow: /\n", "corio-crawl");
    REQUIRE(other.allowed("/private/a"));  // a prefix of our token is another agent
}

TEST_CASE("robots: wildcards, anchors, comments and odd spellings", "[crawl][robots]") {
    Robots r = Robots::parse(
        "\xEF\xBB\xBFUSER-AGENT : *   # everyone\r\n"
        "Disallow: /*/private/*.pdf$\r\n"
        "Disallow: /search?q=*&page=\r\n"
        "Disallow: /exact$\r\n"
        "Disallow:\r\n"
        "Sitemap: https://example.org/sitemap.xml\r\n"
        "nonsense line\r\n"
        "Disallow: /caf%c3%a9\r\n"
        "Disallow: /%7euser\r\n",
        "x");
    REQUIRE_FALSE(r.allowed("/a/private/b.pdf"));
    REQUIRE(r.allowed("/a/private/b.pdf.html"));
    REQUIRE(r.allowed("/private/b.pdf"));
    REQUIRE_FALSE(r.allowed("/search?q=cats&page=2"));
    REQUIRE(r.allowed("/search?q=cats"));
    REQUIRE_FALSE(r.allowed("/exact"));
    REQUIRE(r.allowed("/exactly"));
    REQUIRE_FALSE(r.allowed("/caf%C3%A9/menu"));  // escapes compare in upper case
    REQUIRE_FALSE(r.allowed("/~user/home"));      // an escaped unreserved character decodes
    REQUIRE(r.allowed("/"));
    REQUIRE(crawl::robots_pattern_matches("/a*b*c", "/axxbyyc/z"));
    REQUIRE_FALSE(crawl::robots_pattern_matches("/a*b*c$", "/axxbyyc/z"));
    REQUIRE(crawl::robots_pattern_matches("*", "/anything"));
    REQUIRE(crawl::robots_pattern_matches("/$", "/"));
    REQUIRE_FALSE(crawl::robots_pattern_matches("/$", "/a"));
}

TEST_CASE("robots: allow-all, disallow-all and /robots.txt itself", "[crawl][robots]") {
    REQUIRE(Robots::allow_all().allowed("/anything"));
    Robots none = Robots::disallow_all();
    REQUIRE_FALSE(none.allowed("/"));
    REQUIRE_FALSE(none.allowed("/x"));
    REQUIRE(none.allowed("/robots.txt"));
    Robots all = Robots::parse("User-agent: *\nDisallow: /\n", "x");
    REQUIRE_FALSE(all.allowed("/"));
    REQUIRE(all.allowed("/robots.txt"));
    REQUIRE(Robots::parse("", "x").allowed("/"));
    REQUIRE(Robots::parse("<html>not robots</html>", "x").allowed("/"));
}

TEST_CASE("robots: only the first 500 KiB are read", "[crawl][robots]") {
    std::string body = "User-agent: *\n";
    body += std::string(500 * 1024, '#');
    body += "\nDisallow: /late\n";
    REQUIRE(Robots::parse(body, "x").allowed("/late"));
}
