// http::Url: parsing (parts, defaults, hosts, percent-encoding) and its errors, each naming the
// input. Resolution and normalisation are in test_http_url_resolve.cpp.
#include <catch2/catch.hpp>
#include <string>

#include "corio/http/url.hpp"
#include "url_support.hpp"

using corio::http::Url;
using corio::http::UrlError;
using corio_test::url_error;

TEST_CASE(
    "parse splits an absolute URL into lower-cased scheme and host, port, path, query, "
    "fragment",
    "[url]") {
    Url u = Url::parse("HTTP://Example.COM:8080/a/B?x=1&Y=2#Frag");
    REQUIRE(u.scheme() == "http");
    REQUIRE(u.host() == "example.com");
    REQUIRE(u.port() == 8080);
    REQUIRE(u.has_explicit_port());
    REQUIRE(u.path() == "/a/B");
    REQUIRE(u.has_query());
    REQUIRE(u.query() == "x=1&Y=2");
    REQUIRE(u.has_fragment());
    REQUIRE(u.fragment() == "Frag");
    REQUIRE(u.target() == "/a/B?x=1&Y=2");
    REQUIRE(u.authority() == "example.com:8080");
    REQUIRE(u.str() == "http://example.com:8080/a/B?x=1&Y=2#Frag");
    REQUIRE_FALSE(u.is_secure());
    REQUIRE_FALSE(u.empty());
}

TEST_CASE("each scheme's default port is filled in and left out of str()", "[url]") {
    struct Case {
        const char* text;
        uint16_t port;
        bool secure;
    };
    for (auto c : {Case{"http://h/", 80, false}, Case{"https://h/", 443, true},
                   Case{"ws://h/", 80, false}, Case{"wss://h/", 443, true}}) {
        Url u = Url::parse(c.text);
        INFO(c.text);
        REQUIRE(u.port() == c.port);
        REQUIRE(u.is_secure() == c.secure);
        REQUIRE_FALSE(u.has_explicit_port());
        REQUIRE(u.str() == c.text);
    }
    Url written = Url::parse("http://h:80/x");
    REQUIRE(written.has_explicit_port());
    REQUIRE(written.str() == "http://h/x");
    REQUIRE(written.authority() == "h");
    REQUIRE(Url::parse("https://h:80/").str() == "https://h:80/");
    REQUIRE(Url::parse("http://h:443/").authority() == "h:443");
    // RFC 3986 3.2.3: an empty port is the default one.
    Url bare_colon = Url::parse("http://h:/x");
    REQUIRE(bare_colon.port() == 80);
    REQUIRE(bare_colon.str() == "http://h/x");
    REQUIRE(Url::parse("http://h:00081/").port() == 81);
    REQUIRE(Url::parse("http://h:65535/").port() == 65535);
    REQUIRE(Url::parse("http://h:1/").port() == 1);
}

TEST_CASE("an empty path becomes \"/\" whatever follows the host", "[url]") {
    REQUIRE(Url::parse("http://h").str() == "http://h/");
    REQUIRE(Url::parse("http://h").target() == "/");
    Url q = Url::parse("http://h?x=1");
    REQUIRE(q.path() == "/");
    REQUIRE(q.target() == "/?x=1");
    Url f = Url::parse("http://h#top");
    REQUIRE(f.path() == "/");
    REQUIRE(f.fragment() == "top");
    REQUIRE_FALSE(f.has_query());
    // An empty query or fragment is kept apart from none.
    Url empty_query = Url::parse("http://h/a?");
    REQUIRE(empty_query.has_query());
    REQUIRE(empty_query.query().empty());
    REQUIRE(empty_query.str() == "http://h/a?");
    REQUIRE(Url::parse("http://h/a#").str() == "http://h/a#");
    REQUIRE(Url::parse("http://h/a").str() == "http://h/a");
}

TEST_CASE("hosts: names keep '-' and '_', IPv4 must be a dotted quad", "[url]") {
    REQUIRE(Url::parse("http://my-host_1.example/").host() == "my-host_1.example");
    REQUIRE(Url::parse("http://localhost:8000/").host() == "localhost");
    REQUIRE(Url::parse("http://example.com./").host() == "example.com.");
    Url v4 = Url::parse("http://127.0.0.1:8000/x");
    REQUIRE(v4.host() == "127.0.0.1");
    REQUIRE_FALSE(v4.is_ipv6());
    REQUIRE(v4.authority() == "127.0.0.1:8000");
    REQUIRE(Url::parse("http://0.0.0.0/").host() == "0.0.0.0");
    REQUIRE(Url::parse("http://255.255.255.255/").host() == "255.255.255.255");
    for (const char* bad :
         {"http://256.1.1.1/", "http://1.2.3/", "http://1.2.3.4.5/", "http://01.2.3.4/",
          "http://1..2.3/", "http://1234.1.1.1/", "http://123/"}) {
        INFO(bad);
        REQUIRE_THAT(url_error(bad), Catch::Contains("bad IPv4 address") && Catch::Contains(bad));
    }
}

TEST_CASE("IPv6 literals are checked, stored without brackets and printed with them", "[url]") {
    Url u = Url::parse("http://[::1]:8080/x");
    REQUIRE(u.host() == "::1");
    REQUIRE(u.is_ipv6());
    REQUIRE(u.port() == 8080);
    REQUIRE(u.authority() == "[::1]:8080");
    REQUIRE(u.str() == "http://[::1]:8080/x");
    REQUIRE(Url::parse("http://[DEAD:beef::1]/").host() == "dead:beef::1");
    REQUIRE(Url::parse("http://[::ffff:12.34.56.78]/").host() == "::ffff:12.34.56.78");
    REQUIRE(Url::parse("ws://[2001:db8::7]").str() == "ws://[2001:db8::7]/");
    struct Case {
        const char* text;
        const char* why;
    };
    for (auto c :
         {Case{"http://[::1/", "unterminated IPv6"}, Case{"http://[::1", "unterminated IPv6"},
          Case{"http://[:::1]/", "bad IPv6 address"}, Case{"http://[]/", "bad IPv6 address"},
          Case{"http://[12345::]/", "bad IPv6 address"},
          Case{"http://[fe80::1%25eth0]/", "bad IPv6 address"},
          Case{"http://[::1]x/", "after the IPv6 literal"}, Case{"http://[::1]:x/", "bad port"},
          Case{"http://::1/", "must be in brackets"},
          Case{"http://[1.2.3.4]/", "bad IPv6 address"}}) {
        INFO(c.text);
        REQUIRE_THAT(url_error(c.text), Catch::Contains(c.why) && Catch::Contains(c.text));
    }
}

TEST_CASE("parse errors are UrlErrors naming the input and what is wrong", "[url]") {
    struct Case {
        const char* text;
        const char* why;
    };
    for (auto c : {
             Case{"example.com/x", "no scheme"},
             Case{"/just/a/path", "no scheme"},
             Case{"//host/x", "no scheme"},
             Case{"?q", "no scheme"},
             Case{"ftp://h/", "unsupported scheme \"ftp\""},
             Case{"mailto:someone@example.com", "unsupported scheme \"mailto\""},
             Case{"javascript:void(0)", "unsupported scheme \"javascript\""},
             Case{"http:/h/x", "no host"},
             Case{"http:h", "no host"},
             Case{"http:///x", "empty host"},
             Case{"http://:80/", "empty host"},
             Case{"http://?q", "empty host"},
             Case{"http://h:99999/", "port 99999 out of range"},
             Case{"http://h:65536/", "out of range"},
             Case{"http://h:0/", "out of range"},
             Case{"http://h:x/", "bad port \"x\""},
             Case{"http://h:80:90/", "bad port"},
             Case{"http://h:-1/", "bad port"},
             Case{"http://user@h/", "user info"},
             Case{"http://user:secret@h/", "user info"},
             Case{"http://h/a b", "space at offset 10"},
             Case{"http://h st/", "space"},
             Case{"http://h*st/", "bad character '*' in host"},
             Case{"http://b\xC3\xBC"
                  "cher.de/",
                  "IDNA"},
         }) {
        INFO(c.text);
        REQUIRE_THAT(url_error(c.text), Catch::Contains(c.why) && Catch::Contains(c.text));
    }
    REQUIRE_THAT(url_error(""), Catch::Contains("empty string"));
    // "host:port" reads as a scheme: the message says what was probably meant.
    REQUIRE_THAT(url_error("localhost:8080/x"),
                 Catch::Contains("no scheme") && Catch::Contains("http://localhost:8080/x"));
    // Control characters are reported, and escaped in the message.
    REQUIRE_THAT(url_error("http://h/\n"), Catch::Contains("control character 0x0A") &&
                                               Catch::Contains("\"http://h/\\x0A\""));
    REQUIRE_THAT(url_error(" http://h/"), Catch::Contains("space at offset 0"));
    REQUIRE_THAT(url_error("http://h/\x7f"), Catch::Contains("0x7F"));
    REQUIRE_THAT(url_error(std::string("http://h/\0", 10)), Catch::Contains("0x00"));
    // A huge input is cut short in the message.
    std::string long_url = "ftp://h/" + std::string(10000, 'a');
    std::string msg = url_error(long_url);
    REQUIRE(msg.size() < 400);
    REQUIRE_THAT(msg, Catch::Contains("...") && Catch::Contains("unsupported scheme"));
    // The type is the documented one, itself a corio::Error.
    REQUIRE_THROWS_AS(Url::parse("http://h:x/"), UrlError);
    REQUIRE_THROWS_AS(Url::parse("http://h:x/"), corio::Error);
}

TEST_CASE("characters a component may not hold are percent-encoded, escapes kept as written",
          "[url]") {
    // Non-ASCII as UTF-8 bytes, as browsers send it.
    Url u = Url::parse(
        "http://h/stra\xC3\x9F"
        "e?q=\xC3\xBC#\xC3\xA9");
    REQUIRE(u.path() == "/stra%C3%9Fe");
    REQUIRE(u.query() == "q=%C3%BC");
    REQUIRE(u.fragment() == "%C3%A9");
    REQUIRE(Url::parse("http://h/a|b<c>\"{}^`").path() == "/a%7Cb%3Cc%3E%22%7B%7D%5E%60");
    REQUIRE(Url::parse("http://h/?a[]=1&b=\"x\"").query() == "a%5B%5D=1&b=%22x%22");
    REQUIRE(Url::parse("http://h/#a#b").fragment() == "a%23b");
    // What RFC 3986 allows stays: sub-delims, ':', '@', and '/' '?' in a query.
    REQUIRE(Url::parse("http://h/a:b@c!$&'()*+,;=~").path() == "/a:b@c!$&'()*+,;=~");
    REQUIRE(Url::parse("http://h/p?a/b?c:d@e").query() == "a/b?c:d@e");
    // A lone '%' becomes "%25"; a valid escape stays, in its own case.
    REQUIRE(Url::parse("http://h/100%").path() == "/100%25");
    REQUIRE(Url::parse("http://h/%zz%4").path() == "/%25zz%254");
    REQUIRE(Url::parse("http://h/%7e%2F?%3d").target() == "/%7e%2F?%3d");
    // Encoding is idempotent: str() parses back to the same URL.
    for (const char* text : {"http://h/stra\xC3\x9F"
                             "e?q=\xC3\xBC",
                             "http://h/a|b", "http://h/100%", "http://h/#a#b"}) {
        Url once = Url::parse(text);
        INFO(text);
        REQUIRE(Url::parse(once.str()) == once);
        REQUIRE(Url::parse(once.str()).str() == once.str());
    }
}

TEST_CASE("parse removes dot segments, \"%2e\" included, and reads backslashes as '/'", "[url]") {
    REQUIRE(Url::parse("http://h/a/./b/../c").path() == "/a/c");
    REQUIRE(Url::parse("http://h/a/b/..").path() == "/a/");
    REQUIRE(Url::parse("http://h/..").path() == "/");
    REQUIRE(Url::parse("http://h/../../x").path() == "/x");
    REQUIRE(Url::parse("http://h/a/%2e%2E/b").path() == "/b");
    REQUIRE(Url::parse("http://h/a/.%2e/b/%2E").path() == "/b/");
    REQUIRE(Url::parse("http://h/a/%2e./b").path() == "/b");
    // Not dot segments: dots inside a name, and dots in the query.
    REQUIRE(Url::parse("http://h/.hidden/a..b/...").path() == "/.hidden/a..b/...");
    REQUIRE(Url::parse("http://h/x?a/../b").query() == "a/../b");
    // Empty segments are kept.
    REQUIRE(Url::parse("http://h//a//b/").path() == "//a//b/");
    // Backslashes before the query are '/', as browsers read http(s) URLs; in the query one is
    // only a character to escape.
    Url b = Url::parse("http:\\\\h\\a\\b?x\\y#z\\w");
    REQUIRE(b.host() == "h");
    REQUIRE(b.path() == "/a/b");
    REQUIRE(b.query() == "x%5Cy");
    REQUIRE(b.fragment() == "z%5Cw");
}

TEST_CASE("a default Url is empty; equality is equality of str()", "[url]") {
    Url none;
    REQUIRE(none.empty());
    REQUIRE(none.str().empty());
    REQUIRE(none == Url{});
    REQUIRE(Url::parse("http://h:80/") == Url::parse("HTTP://H/"));
    REQUIRE_FALSE(Url::parse("http://h/") == Url::parse("http://h/#f"));
    REQUIRE_FALSE(Url::parse("http://h/") == Url::parse("http://h/?"));
    REQUIRE_FALSE(Url::parse("http://h/") == Url::parse("https://h/"));
    REQUIRE_FALSE(Url::parse("http://h/") == Url::parse("http://h:81/"));
    REQUIRE_FALSE(Url::parse("http://h/") == none);
}

TEST_CASE("a plain lower-case URL parses exactly as the same URL with an upper-case scheme",
          "[url]") {
    // parse() takes clean "http(s)://host[:port]/path[?query]" text by a short path and the
    // rest by the general one; "HTTP://" always takes the general one. Over every combination
    // of the pieces below, valid or not, both must agree: the same fields, or both an error.
    const char* hosts[] = {"example.com",
                           "a_b-c.example",
                           "127.0.0.1",
                           "1.2.3",
                           "256.1.1.1",
                           "h",
                           "",
                           "host:8080",
                           "host:",
                           "host:0",
                           "host:99999",
                           "host:80",
                           "user@host",
                           "[::1]",
                           "HOST",
                           "h.",
                           "h..x",
                           "-h",
                           "h:80:80"};
    const char* paths[] = {"",
                           "/",
                           "/a/b",
                           "/a//b",
                           "/a/./b",
                           "/a/../b",
                           "/.x",
                           "/a.b/c.",
                           "/%41",
                           "/a%zz",
                           "/a b",
                           "/a#f",
                           "/a\\b",
                           "/caf\xc3\xa9",
                           "/~u/!$&'()*+,;=:@",
                           "/x?",
                           "/x?a=1&b=/c?d",
                           "?q",
                           "/x?a b",
                           "/x?%2F",
                           "/..",
                           "/x/.."};
    size_t fast = 0;
    for (const char* scheme : {"http", "https"}) {
        for (const char* host : hosts) {
            for (const char* path : paths) {
                std::string tail = std::string("://") + host + path;
                std::string plain = scheme + tail;
                std::string upper = std::string(scheme[4] == 's' ? "HTTPS" : "HTTP") + tail;
                INFO(plain);
                std::string e1 = url_error(plain), e2 = url_error(upper);
                REQUIRE((e1 == "(no error)") == (e2 == "(no error)"));
                if (e1 != "(no error)") continue;
                Url a = Url::parse(plain), b = Url::parse(upper);
                REQUIRE(a == b);
                REQUIRE(a.str() == b.str());
                REQUIRE(a.port() == b.port());
                REQUIRE(a.has_explicit_port() == b.has_explicit_port());
                REQUIRE(a.is_ipv6() == b.is_ipv6());
                REQUIRE(a.normalized().str() == b.normalized().str());
                ++fast;
            }
        }
    }
    REQUIRE(fast > 200);  // most combinations are URLs
}
