// Serving a directory with http::static_files: content types, index files, 404s, HEAD, 405, a
// URL prefix, a file large enough to be read on the thread pool, and every way out of the root
// we could think of (.., %2e%2e, encoded slashes, a symbolic link pointing outside).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "corio/corio.hpp"
#include "corio/http/files.hpp"
#include "corio/http/server.hpp"
#include "http_peer_support.hpp"
#include "http_support.hpp"

using namespace std::chrono_literals;
using corio::Coro;
using corio_test::HttpReply;

namespace {

// tmp/site is the served root; tmp/secret.txt lies outside it.
struct Site {
    corio_test::TempDir tmp;
    std::string root;
    std::string big;
    Site() {
        root = tmp.path() + "/site";
        tmp.write("secret.txt", "top secret");
        tmp.write("site/index.html", "<h1>home</h1>");
        tmp.write("site/css/site.css", "body{}");
        tmp.write("site/js/app.js", "let x;");
        tmp.write("site/img/logo.png", std::string("\x89PNG\r\n\x1a\n\0\0", 10));
        tmp.write("site/data.json", "{}");
        tmp.write("site/README", "no extension");
        tmp.write("site/a file.txt", "spaced");
        tmp.write("site/dir/index.html", "<p>sub</p>");
        tmp.write("site/empty/.keep", "");
        big.resize(300 * 1024);
        for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
        tmp.write("site/big.txt", big);
        REQUIRE(::symlink((tmp.path() + "/secret.txt").c_str(), (root + "/link-out.txt").c_str()) ==
                0);
    }
};

Coro<HttpReply> get(uint16_t port, std::string target, std::string method = "GET") {
    co_return co_await corio_test::raw_exchange(
        port, method + " " + target + " HTTP/1.1\r\nHost: t\r\n\r\n");
}

}  // namespace

TEST_CASE("files are served with the content type of their extension", "[http_server_files]") {
    Site site;
    corio::run([&]() -> Coro<void> {
        // Named first: a temporary std::function inside co_await is destroyed twice (g++ 12).
        corio::http::Handler files = corio::http::static_files(site.root);
        corio::Server server = co_await corio::http::serve(files, "127.0.0.1", 0);
        uint16_t port = server.port();
        struct Case {
            std::string target, type, body;
        };
        std::vector<Case> cases = {
            {"/", "text/html; charset=utf-8", "<h1>home</h1>"},
            {"/index.html", "text/html; charset=utf-8", "<h1>home</h1>"},
            {"/css/site.css", "text/css; charset=utf-8", "body{}"},
            {"/js/app.js", "text/javascript; charset=utf-8", "let x;"},
            {"/img/logo.png", "image/png", std::string("\x89PNG\r\n\x1a\n\0\0", 10)},
            {"/data.json", "application/json", "{}"},
            {"/README", "application/octet-stream", "no extension"},
            {"/a%20file.txt", "text/plain; charset=utf-8", "spaced"},
            {"/dir/", "text/html; charset=utf-8", "<p>sub</p>"},
            {"/css/./site.css?v=3", "text/css; charset=utf-8", "body{}"},
        };
        for (const Case& c : cases) {
            HttpReply r = co_await get(port, c.target);
            INFO(c.target);
            REQUIRE(r.status == 200);
            REQUIRE(r.headers.get("Content-Type") == c.type);
            REQUIRE(r.body == c.body);
        }
        HttpReply big = co_await get(port, "/big.txt");
        REQUIRE(big.status == 200);
        REQUIRE(big.body == site.big);
    }());
}

TEST_CASE("missing files, directories without an index and escapes from the root are 404",
          "[http_server_files]") {
    Site site;
    corio::run([&]() -> Coro<void> {
        // Named first: a temporary std::function inside co_await is destroyed twice (g++ 12).
        corio::http::Handler files = corio::http::static_files(site.root);
        corio::Server server = co_await corio::http::serve(files, "127.0.0.1", 0);
        uint16_t port = server.port();
        for (std::string target : {
                 "/missing.html",
                 "/empty/",
                 "/../secret.txt",
                 "/css/../../secret.txt",
                 "/%2e%2e/secret.txt",
                 "/%2E%2E/secret.txt",
                 "/css/%2e%2e/%2e%2e/secret.txt",
                 "/..%2fsecret.txt",
                 "/%2e%2e%2fsecret.txt",
                 "/.%2e/secret.txt",
                 "/link-out.txt",
                 "/index.html%00.png",
                 "/bad%zzescape",
                 "/index.html%",
             }) {
            HttpReply r = co_await get(port, target);
            INFO(target);
            REQUIRE(r.status == 404);
            REQUIRE(r.body.find("secret") == std::string::npos);
        }
        HttpReply dir = co_await get(port, "/dir?x=1");
        REQUIRE(dir.status == 301);
        REQUIRE(dir.headers.get("Location") == "/dir/?x=1");
    }());
}

TEST_CASE("HEAD gets a file's headers and length without its body; POST gets 405",
          "[http_server_files]") {
    Site site;
    corio::run([&]() -> Coro<void> {
        // Named first: a temporary std::function inside co_await is destroyed twice (g++ 12).
        corio::http::Handler files = corio::http::static_files(site.root);
        corio::Server server = co_await corio::http::serve(files, "127.0.0.1", 0);
        HttpReply head = co_await get(server.port(), "/big.txt", "HEAD");
        REQUIRE(head.status == 200);
        REQUIRE(head.headers.get("Content-Length") == std::to_string(site.big.size()));
        REQUIRE(head.headers.get_all("Content-Length").size() == 1);
        REQUIRE(head.headers.get("Content-Type") == "text/plain; charset=utf-8");
        REQUIRE(head.body.empty());
        HttpReply post = co_await get(server.port(), "/index.html", "POST");
        REQUIRE(post.status == 405);
        REQUIRE(post.headers.get("Allow") == "GET, HEAD");
    }());
}

TEST_CASE("a prefix serves the directory under that URL path only", "[http_server_files]") {
    Site site;
    corio::run([&]() -> Coro<void> {
        corio::http::FilesOptions o;
        o.prefix = "/static/";
        // Named first: a temporary std::function inside co_await is destroyed twice (g++ 12).
        corio::http::Handler files = corio::http::static_files(site.root, o);
        corio::Server server = co_await corio::http::serve(files, "127.0.0.1", 0);
        HttpReply in = co_await get(server.port(), "/static/css/site.css");
        HttpReply out = co_await get(server.port(), "/css/site.css");
        HttpReply near = co_await get(server.port(), "/staticcss/site.css");
        REQUIRE(in.status == 200);
        REQUIRE(in.body == "body{}");
        REQUIRE(out.status == 404);
        REQUIRE(near.status == 404);
    }());
    REQUIRE_THROWS_AS(corio::http::static_files(site.root + "/nope"), std::invalid_argument);
}

TEST_CASE("content_type_for looks at the last extension only", "[http_server_files]") {
    using corio::http::content_type_for;
    REQUIRE(content_type_for("a/b.HTML") == "text/html; charset=utf-8");
    REQUIRE(content_type_for("x.tar.gz") == "application/gzip");
    REQUIRE(content_type_for("dir.d/file") == "application/octet-stream");
    REQUIRE(content_type_for("font.woff2") == "font/woff2");
    REQUIRE(content_type_for("") == "application/octet-stream");
}
