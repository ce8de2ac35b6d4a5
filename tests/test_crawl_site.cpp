// crawl end to end against a generated site, served by corio's own http::serve and by nginx:
// which pages a depth-limited crawl visits (each once), robots.txt, --max-pages, the input
// and output options, --help and usage errors.
#include <unistd.h>

#include <catch2/catch.hpp>

#include "corio/http/files.hpp"
#include "crawl_support.hpp"

using namespace crawl_test;

namespace {

// Path of a URL on base ("http://127.0.0.1:8080/a.html" -> "/a.html").
std::string path_of(const std::string& url, const std::string& base) {
    REQUIRE(url.rfind(base, 0) == 0);
    return url.substr(base.size() - 1);
}

// Checks one depth-2 crawl of make_site(root, 3): exactly the pages within depth 2, once each,
// at their depth, with robots.txt and text/plain honoured.
void check_depth_two(const CrawlResult& r, const Site& site, const std::string& base) {
    INFO(r.err);
    REQUIRE(r.status == 1);  // the robots-disallowed page is a failure
    auto lines = parse_json_lines(r.out);
    std::map<std::string, JsonLine> by_path;
    for (auto& l : lines) {
        std::string p = path_of(l["url"], base);
        REQUIRE(by_path.count(p) == 0);  // each URL once
        by_path[p] = l;
    }
    size_t expected = 0;
    for (int d = 0; d <= 2; ++d) {
        for (const std::string& p : site.by_depth[static_cast<size_t>(d)]) {
            INFO(p);
            REQUIRE(by_path.count(p) == 1);
            REQUIRE(by_path[p]["depth"] == std::to_string(d));
            ++expected;
        }
    }
    REQUIRE(lines.size() == expected);
    REQUIRE(by_path["/"]["status"] == "200");
    REQUIRE(by_path["/"]["content_type"] == "text/html");
    REQUIRE(by_path["/"]["error"] == "null");
    REQUIRE(by_path["/"]["links"] == "7");  // n0..n2, missing, notes, secret, and "/" itself
    REQUIRE(by_path["/missing.html"]["status"] == "404");
    REQUIRE(by_path["/missing.html"]["error"] == "null");
    REQUIRE(by_path["/notes.txt"]["content_type"] == "text/plain");
    REQUIRE(by_path["/notes.txt"]["links"] == "0");
    REQUIRE(by_path["/private/secret.html"]["error"] == "robots disallowed");
    REQUIRE(by_path["/private/secret.html"]["status"] == "null");
    REQUIRE(by_path["/n1-2.html"]["links"] == "0");  // depth 2: links not taken
    REQUIRE(r.err.find("16 URLs, 15 requests, 15 ok, 1 failed") != std::string::npos);
    REQUIRE(r.err.find("robots disallowed 1") != std::string::npos);
}

}  // namespace

TEST_CASE("crawl --depth 2 visits exactly the pages within depth 2, each once (http::serve)",
          "[crawl][e2e]") {
    TempDir root;
    Site site = make_site(root.path(), 3);
    TestServer server(corio::http::static_files(root.path()));
    CrawlResult r = run_crawl({"--depth", "2", "-c", "4", server.url("/")});
    check_depth_two(r, site, server.url("/"));
}

TEST_CASE("crawl --depth 2 visits exactly the pages within depth 2, each once (nginx)",
          "[crawl][e2e][nginx]") {
    TempDir root;
    Site site = make_site(root.path(), 3);
    Nginx nginx(root.path());
    CrawlResult r = run_crawl({"--depth", "2", "--per-host", "2", nginx.url("/")});
    check_depth_two(r, site, nginx.url("/"));
}

TEST_CASE("crawl --ignore-robots fetches what robots.txt disallows", "[crawl][e2e]") {
    TempDir root;
    make_site(root.path(), 1);
    TestServer server(corio::http::static_files(root.path()));
    CrawlResult r = run_crawl({"--depth", "2", "--ignore-robots", server.url("/")});
    INFO(r.err);
    REQUIRE(r.status == 0);
    bool secret = false, deeper = false;
    for (auto& l : parse_json_lines(r.out)) {
        REQUIRE(l["error"] == "null");
        secret |= l["url"] == server.url("/private/secret.html");
        deeper |= l["url"] == server.url("/private/deeper.html");
    }
    REQUIRE(secret);
    REQUIRE(deeper);  // a 404, still fetched once
}

TEST_CASE("crawl --max-pages writes that many lines and stops", "[crawl][e2e]") {
    TempDir root;
    make_site(root.path(), 3);
    TestServer server(corio::http::static_files(root.path()));
    CrawlResult r = run_crawl({"--depth", "5", "--max-pages", "5", "-c", "2", server.url("/")});
    INFO(r.err);
    auto lines = parse_json_lines(r.out);
    REQUIRE(lines.size() == 5);
    REQUIRE(lines[0]["url"] == server.url("/"));
    REQUIRE(r.err.find("--max-pages 5") != std::string::npos);
}

TEST_CASE("crawl reads URLs from stdin with -i - and writes -o FILE", "[crawl][e2e]") {
    TempDir root, out;
    make_site(root.path(), 1);
    TestServer server(corio::http::static_files(root.path()));
    std::string list = "# a comment\n\n" + server.url("/n0.html") + "\r\n  " +
                       server.url("/n1.html") + "  \nnot a url\n" + "{\"url\":\"" +
                       server.url("/n2.html") + "\",\"depth\":1}\n" +
                       server.url("/notes.txt");  // no final newline
    CrawlResult r = run_crawl({"-i", "-", "-o", out.file("r.jsonl"), "-q"}, list);
    REQUIRE(r.status == 1);  // "not a url"
    REQUIRE(r.out.empty());
    REQUIRE(r.err.empty());  // -q
    auto lines = parse_json_lines(read_file(out.file("r.jsonl")));
    REQUIRE(lines.size() == 5);
    std::map<std::string, JsonLine> by_url;
    for (auto& l : lines) by_url[l["url"]] = l;
    REQUIRE(by_url[server.url("/n0.html")]["status"] == "200");
    REQUIRE(by_url[server.url("/n1.html")]["status"] == "200");
    REQUIRE(by_url[server.url("/n2.html")]["depth"] == "1");
    REQUIRE(by_url[server.url("/notes.txt")]["status"] == "200");
    REQUIRE(by_url["not a url"]["error"] == "invalid url");
}

TEST_CASE("crawl --save stores bodies and names them in the line", "[crawl][e2e]") {
    TempDir root, saved;
    make_site(root.path(), 1);
    TestServer server(corio::http::static_files(root.path()));
    CrawlResult r = run_crawl({"--save", saved.path(), server.url("/notes.txt")});
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
    auto lines = parse_json_lines(r.out);
    REQUIRE(lines.size() == 1);
    REQUIRE(lines[0]["saved"].rfind(saved.path() + "/", 0) == 0);
    REQUIRE(read_file(lines[0]["saved"]) == read_file(root.file("notes.txt")));
}

TEST_CASE("crawl usage errors exit 2 with a message and nothing on stdout", "[crawl][e2e]") {
    for (std::vector<std::string> args : {std::vector<std::string>{},
                                          {"--bogus", "http://127.0.0.1:1/"},
                                          {"-c", "0", "x"},
                                          {"--shard", "5/3", "http://127.0.0.1:1/"},
                                          {"-i", "/nonexistent/list"},
                                          {"-o", "/nonexistent/dir/out", "http://127.0.0.1:1/"}}) {
        CrawlResult r = run_crawl(args);
        INFO(r.err);
        REQUIRE(r.status == 2);
        REQUIRE(r.out.empty());
        REQUIRE(r.err.rfind("crawl: ", 0) == 0);
    }
    CrawlResult help = run_crawl({"--help"});
    REQUIRE(help.status == 0);
    REQUIRE(help.out.find("--fail-on-http-error") != std::string::npos);
    REQUIRE(help.out.find("--shard") != std::string::npos);
}

TEST_CASE("crawl exits 0 on HTTP errors unless --fail-on-http-error", "[crawl][e2e]") {
    TempDir root;
    make_site(root.path(), 1);
    TestServer server(corio::http::static_files(root.path()));
    CrawlResult r = run_crawl({server.url("/missing.html"), server.url("/")});
    REQUIRE(r.status == 0);
    CrawlResult strict = run_crawl({"--fail-on-http-error", server.url("/missing.html")});
    REQUIRE(strict.status == 1);
    REQUIRE(parse_json_line(strict.out.substr(0, strict.out.size() - 1))["error"] == "http 404");
}
