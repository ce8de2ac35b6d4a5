// Links out of HTML through gumbo, as a browser reads the markup: entities, quoting, comments,
// scripts, <base>, rel tokens, and what is not a link at all.
#include <catch2/catch.hpp>

#include "../tools/crawl/links.hpp"

using corio::http::Url;

namespace {

std::vector<std::string> links(std::string_view html,
                               std::string_view page = "http://site.test/dir/page.html") {
    return crawl::extract_links(html, Url::parse(page));
}

using V = std::vector<std::string>;

}  // namespace

TEST_CASE("links: a, area and link rel=next|prev, resolved and in order", "[crawl][links]") {
    REQUIRE(links(R"(<a href="a.html">a</a> <map><area href="/b"></map>
                     <link rel="next" href="c"><link rel="stylesheet" href="s.css">
                     <link rel="Prev alternate" href="d"><img src="i.png">
                     <a>no href</a><link href="e">)") ==
            V{"http://site.test/dir/a.html", "http://site.test/b", "http://site.test/dir/c",
              "http://site.test/dir/d"});
}

TEST_CASE("links: entities, unquoted and odd attributes as a browser reads them",
          "[crawl][links]") {
    REQUIRE(links(R"(<a href="x?a=1&amp;b=2">1</a><a href=y?c=3&d=4>2</a>)"
                  R"(<a href='q&#x3D;1'>3</a><A HREF="  Upper.html  ">4</A>)"
                  "<a href=\"tab\tbed\nline\">5</a>") ==
            V{"http://site.test/dir/x?a=1&b=2", "http://site.test/dir/y?c=3&d=4",
              "http://site.test/dir/q=1", "http://site.test/dir/Upper.html",
              "http://site.test/dir/tabbedline"});
}

TEST_CASE("links: comments, scripts, styles and templates give none", "[crawl][links]") {
    REQUIRE(links(R"(<!-- <a href="c1"></a> --><script>document.write('<a href="s1">')</script>
                     <style>a[href="st"]{}</style><template><a href="t1"></a></template>
                     <textarea><a href="ta"></a></textarea><a href="real">r</a>)") ==
            V{"http://site.test/dir/real"});
}

TEST_CASE("links: the first base href applies to the whole document", "[crawl][links]") {
    REQUIRE(links(R"(<a href="before">b</a><base href="/other/"><base href="http://no.test/">
                     <a href="after">a</a>)") ==
            V{"http://site.test/other/before", "http://site.test/other/after"});
    REQUIRE(links(R"(<base target="_top"><base href="http://cdn.test/x/"><a href="y">)") ==
            V{"http://cdn.test/x/y"});
}

TEST_CASE("links: fragments go, only http(s) stays, each once, normalised", "[crawl][links]") {
    REQUIRE(links(R"H(<a href="#top">1</a><a href="p#s">2</a><a href="p">3</a>
                     <a href="mailto:a@b.test">4</a><a href="javascript:void(0)">5</a>
                     <a href="ftp://f.test/">6</a><a href="HTTPS://Site.Test:443/%7ex/../y">7</a>
                     <a href="//other.test/z">8</a><a href="http://[bad">9</a>)H") ==
            V{"http://site.test/dir/page.html", "http://site.test/dir/p", "https://site.test/y",
              "http://other.test/z"});
}

TEST_CASE("links: broken markup still parses as a browser would", "[crawl][links]") {
    REQUIRE(links("<p><a href=one><b>unclosed <a href=two>") ==
            V{"http://site.test/dir/one", "http://site.test/dir/two"});
    REQUIRE(links("").empty());
    REQUIRE(links(std::string(100000, '<')).empty());
    std::string deep;
    for (int i = 0; i < 5000; ++i) deep += "<div>";
    deep += "<a href=deep>";
    REQUIRE(links(deep) == V{"http://site.test/dir/deep"});
}

TEST_CASE("links: only HTML media types are read", "[crawl][links]") {
    REQUIRE(crawl::media_type("Text/HTML; charset=UTF-8") == "text/html");
    REQUIRE(crawl::is_html(crawl::media_type("text/html")));
    REQUIRE(crawl::is_html(crawl::media_type("application/xhtml+xml;q=1")));
    REQUIRE_FALSE(crawl::is_html(crawl::media_type("text/plain")));
    REQUIRE_FALSE(crawl::is_html(crawl::media_type("")));
    REQUIRE_FALSE(crawl::is_html(crawl::media_type("application/json")));
}
