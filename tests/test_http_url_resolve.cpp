// http::Url::resolve against RFC 3986 section 5.4 (every normal and abnormal example) and the
// hrefs a crawler meets, then normalized() for de-duplication.
#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "corio/http/url.hpp"
#include "url_support.hpp"

using corio::http::Url;
using corio::http::UrlError;
using corio_test::resolve_error;

namespace {

using Example = std::pair<const char*, const char*>;  // reference, expected str()

void check_all(const Url& base, const std::vector<Example>& examples) {
    for (const auto& [ref, expected] : examples) {
        INFO("base " << base.str() << " reference \"" << ref << "\"");
        Url got = base.resolve(ref);
        REQUIRE(got.str() == expected);
        // What resolve builds is a URL parse accepts unchanged.
        REQUIRE(Url::parse(got.str()) == got);
    }
}

const Url& rfc_base() {
    static const Url base = Url::parse("http://a/b/c/d;p?q");
    return base;
}

}  // namespace

TEST_CASE("resolve gives every RFC 3986 5.4.1 normal example", "[url]") {
    // "g:h" -> "g:h" in the RFC; here a scheme other than http(s)/ws(s) is a UrlError.
    REQUIRE_THAT(resolve_error(rfc_base(), "g:h"), Catch::Contains("unsupported scheme \"g\""));
    // "//g" -> "http://g" in the RFC: an empty path is "/" here.
    check_all(rfc_base(), {
                              {"g", "http://a/b/c/g"},
                              {"./g", "http://a/b/c/g"},
                              {"g/", "http://a/b/c/g/"},
                              {"/g", "http://a/g"},
                              {"//g", "http://g/"},
                              {"?y", "http://a/b/c/d;p?y"},
                              {"g?y", "http://a/b/c/g?y"},
                              {"#s", "http://a/b/c/d;p?q#s"},
                              {"g#s", "http://a/b/c/g#s"},
                              {"g?y#s", "http://a/b/c/g?y#s"},
                              {";x", "http://a/b/c/;x"},
                              {"g;x", "http://a/b/c/g;x"},
                              {"g;x?y#s", "http://a/b/c/g;x?y#s"},
                              {"", "http://a/b/c/d;p?q"},
                              {".", "http://a/b/c/"},
                              {"./", "http://a/b/c/"},
                              {"..", "http://a/b/"},
                              {"../", "http://a/b/"},
                              {"../g", "http://a/b/g"},
                              {"../..", "http://a/"},
                              {"../../", "http://a/"},
                              {"../../g", "http://a/g"},
                          });
}

TEST_CASE("resolve gives every RFC 3986 5.4.2 abnormal example", "[url]") {
    check_all(rfc_base(), {
                              {"../../../g", "http://a/g"},
                              {"../../../../g", "http://a/g"},
                              {"/./g", "http://a/g"},
                              {"/../g", "http://a/g"},
                              {"g.", "http://a/b/c/g."},
                              {".g", "http://a/b/c/.g"},
                              {"g..", "http://a/b/c/g.."},
                              {"..g", "http://a/b/c/..g"},
                              {"./../g", "http://a/b/g"},
                              {"./g/.", "http://a/b/c/g/"},
                              {"g/./h", "http://a/b/c/g/h"},
                              {"g/../h", "http://a/b/c/h"},
                              {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
                              {"g;x=1/../y", "http://a/b/c/y"},
                              {"g?y/./x", "http://a/b/c/g?y/./x"},
                              {"g?y/../x", "http://a/b/c/g?y/../x"},
                              {"g#s/./x", "http://a/b/c/g#s/./x"},
                              {"g#s/../x", "http://a/b/c/g#s/../x"},
                              // The RFC allows "http:g" either way; browsers and we take the
                              // backward-compatible reading.
                              {"http:g", "http://a/b/c/g"},
                              {"HTTP:g?y", "http://a/b/c/g?y"},
                              {"http:", "http://a/b/c/d;p?q"},
                          });
}

TEST_CASE("resolve merges with the base directory whatever its trailing slash", "[url]") {
    check_all(Url::parse("http://a/b/c/d/e/"), {{"../../f/g/", "http://a/b/c/f/g/"},
                                                {"/../../f/g/", "http://a/f/g/"},
                                                {"../../f/g", "http://a/b/c/f/g"}});
    check_all(Url::parse("http://a/b/c/d/e"), {{"../../f/g/", "http://a/b/f/g/"}});
    check_all(Url::parse("http://a/b/"), {{"../../f/g/", "http://a/f/g/"}});
    check_all(Url::parse("http://service.com"), {{"hello", "http://service.com/hello"},
                                                 {"api/hello", "http://service.com/api/hello"}});
    check_all(Url::parse("http://a/b/c/d/"), {{"foo", "http://a/b/c/d/foo"}});
    // The base's fragment never carries over; its query does only for "" and "#f".
    check_all(Url::parse("http://a/b/c/d;p?q#f"), {{"", "http://a/b/c/d;p?q"},
                                                   {"#g", "http://a/b/c/d;p?q#g"},
                                                   {"?", "http://a/b/c/d;p?"},
                                                   {"x", "http://a/b/c/x"}});
}

TEST_CASE("resolve keeps the base's port and IPv6 host, and takes both from \"//\" references",
          "[url]") {
    check_all(Url::parse("http://h:8080/a/b"), {{"/x", "http://h:8080/x"},
                                                {"c", "http://h:8080/a/c"},
                                                {"//g/x", "http://g/x"},
                                                {"//g:81", "http://g:81/"},
                                                {"https://g/", "https://g/"}});
    check_all(Url::parse("http://[::1]:8080/a"),
              {{"b", "http://[::1]:8080/b"}, {"//[::2]/", "http://[::2]/"}});
    check_all(Url::parse("https://a/b"), {{"//other.host/x", "https://other.host/x"},
                                          {"//OTHER.Host:443/x", "https://other.host/x"}});
}

TEST_CASE("resolve takes an href as a browser does: whitespace, backslashes, non-ASCII", "[url]") {
    Url base = Url::parse("http://h/a/b/c");
    check_all(base, {
                        {"  /x  ", "http://h/x"},
                        {"\t\n g \r\n", "http://h/a/b/g"},
                        {"/a\n/b\t/c", "http://h/a/b/c"},
                        {"/my file.html?q=a b#c d", "http://h/my%20file.html?q=a%20b#c%20d"},
                        {"   ", "http://h/a/b/c"},
                        {"..\\x", "http://h/a/x"},
                        {"\\\\other\\x?a\\b", "http://other/x?a%5Cb"},
                        {"/stra\xC3\x9F"
                         "e",
                         "http://h/stra%C3%9Fe"},
                        {"?q=\xE2\x82\xAC", "http://h/a/b/c?q=%E2%82%AC"},
                        {"/100%", "http://h/100%25"},
                        {"/a?x=[1]", "http://h/a?x=%5B1%5D"},
                    });
    // Control characters around an href are stripped like spaces; inside one they are errors.
    REQUIRE(base.resolve("\x01/x\x1f").str() == "http://h/x");
    REQUIRE_THAT(resolve_error(base,
                               "/a\x01"
                               "b"),
                 Catch::Contains("control character 0x01"));
    REQUIRE_THAT(resolve_error(base, "/a\x7f"), Catch::Contains("control character 0x7F"));
    REQUIRE_THAT(resolve_error(base, std::string("/a\0b", 4)), Catch::Contains("0x00"));
}

TEST_CASE("resolve throws UrlError for other schemes, so a crawler skips them", "[url]") {
    Url base = Url::parse("http://h/a/");
    for (const char* ref :
         {"mailto:someone@example.com", "javascript:void(0)", " JavaScript:alert(1)",
          "data:text/html,hi", "tel:+15551234", "ftp://h/file", "about:blank", "g:h"}) {
        INFO(ref);
        REQUIRE_THAT(resolve_error(base, ref), Catch::Contains("unsupported scheme"));
        REQUIRE_THROWS_AS(base.resolve(ref), UrlError);
    }
    // ws(s) is a scheme Url holds: resolve returns it and the crawler checks scheme().
    REQUIRE(base.resolve("WS://h/chat").scheme() == "ws");
    REQUIRE(base.resolve("wss://h/chat").is_secure());
}

TEST_CASE("try_resolve gives nullopt where resolve throws, the URL elsewhere", "[url]") {
    Url base = Url::parse("http://h/a/");
    for (const char* ref : {"mailto:x@y", " javascript:void(0)", "java\nscript:x", "tel:1",
                            "//h:99999/", "//user@h/", "https:g",
                            "/a\x01"
                            "b"}) {
        INFO(ref);
        REQUIRE_FALSE(base.try_resolve(ref).has_value());
    }
    auto ok = base.try_resolve(" b?q#f ");
    REQUIRE(ok.has_value());
    REQUIRE(ok->str() == "http://h/a/b?q#f");
    REQUIRE(base.try_resolve("http:g")->str() == "http://h/a/g");
    REQUIRE(base.try_resolve("WSS://x/")->scheme() == "wss");
    REQUIRE_FALSE(Url{}.try_resolve("/x").has_value());
}

TEST_CASE("resolve reports bad references with the reference in the message", "[url]") {
    Url base = Url::parse("http://h/a/");
    struct Case {
        const char* ref;
        const char* why;
    };
    for (auto c : {Case{"//h:99999/", "out of range"}, Case{"//h:x/", "bad port"},
                   Case{"//user@h/", "user info"}, Case{"//[::1/", "unterminated IPv6"},
                   Case{"http://", "empty host"}, Case{"///x", "empty host"},
                   Case{"https:g", "no host"}, Case{"http://a b/", "bad character ' ' in host"}}) {
        INFO(c.ref);
        REQUIRE_THAT(resolve_error(base, c.ref), Catch::Contains(c.why) && Catch::Contains(c.ref));
    }
    // An empty base resolves absolute references only.
    Url none;
    REQUIRE(none.resolve(" http://h/x ").str() == "http://h/x");
    REQUIRE_THAT(resolve_error(none, "/x"), Catch::Contains("base"));
    REQUIRE_THAT(resolve_error(none, ""), Catch::Contains("base"));
}

TEST_CASE("normalized gives one spelling per resource", "[url]") {
    Url n =
        Url::parse("HTTP://Example.COM:80/%7Euser/a%2fb/%41%2D%5f?%61=%3c&b=%2e#frag").normalized();
    REQUIRE(n.str() == "http://example.com/~user/a%2Fb/A-_?a=%3C&b=.");
    REQUIRE_FALSE(n.has_fragment());
    REQUIRE_FALSE(n.has_explicit_port());
    // Escapes of reserved, non-ASCII and '%' itself stay escaped.
    REQUIRE(Url::parse("http://h/%2f%3F%25%20%c3%a9").normalized().path() == "/%2F%3F%25%20%C3%A9");
    // A decoded '.' inside a name is no dot segment.
    REQUIRE(Url::parse("http://h/a%2Eb/").normalized().path() == "/a.b/");
    // A non-default port and an empty query are part of the resource.
    REQUIRE(Url::parse("http://h:8080/").normalized().str() == "http://h:8080/");
    REQUIRE(Url::parse("http://h:8080/").normalized().has_explicit_port());
    REQUIRE(Url::parse("http://h/?").normalized().str() == "http://h/?");
    REQUIRE(Url::parse("http://h/?b=2&a=1").normalized().query() == "b=2&a=1");
    REQUIRE(Url{}.normalized().empty());

    const std::vector<const char*> same = {"http://h",       "http://h/",   "HTTP://H:80/",
                                           "http://h:/#top", "http://h/./", "http://h/a/..",
                                           "http://h/%2e/",  "http:\\\\h\\"};
    for (const char* text : same) {
        INFO(text);
        REQUIRE(Url::parse(text).normalized().str() == "http://h/");
    }
    REQUIRE(Url::parse("http://[0:0::1]/").normalized() ==
            Url::parse("http://[::1]/").normalized());
    REQUIRE(Url::parse("http://[0:0::1]/").normalized().host() == "::1");
    REQUIRE(Url::parse("http://[::FFFF:1.2.3.4]/").normalized().host() == "::ffff:1.2.3.4");
    REQUIRE(Url::parse("https://h:443/%7e").normalized() == Url::parse("https://h/~").normalized());
    // Different resources stay different.
    REQUIRE_FALSE(Url::parse("http://h/a").normalized() == Url::parse("http://h/A").normalized());
    REQUIRE_FALSE(Url::parse("http://h/a%2Fb").normalized() ==
                  Url::parse("http://h/a/b").normalized());
    REQUIRE_FALSE(Url::parse("http://h/").normalized() == Url::parse("https://h/").normalized());
}

TEST_CASE("normalized is idempotent and parses back unchanged", "[url]") {
    Url base = Url::parse("http://Ex.com/a/b?q#f");
    for (const char* ref : {"", "#x", "../%7e%7E/c%2F?%61%zz", "//Other:8080/%C3%a9/./x",
                            "/stra\xC3\x9F"
                            "e?\xC3\xBC",
                            "..\\..\\..\\x", "?a=%2e%2E"}) {
        Url once = base.resolve(ref).normalized();
        INFO(ref << " -> " << once.str());
        REQUIRE(once.normalized() == once);
        REQUIRE(Url::parse(once.str()) == once);
        REQUIRE(Url::parse(once.str()).normalized() == once);
    }
}
