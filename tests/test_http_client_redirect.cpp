// The client's redirect rules (src/http/redirect.hpp) as a table: which statuses redirect, the
// method and body of the next request, and the chain's maximum and loop detection.
#include <catch2/catch.hpp>
#include <string>

#include "corio/http/errors.hpp"
#include "http/redirect.hpp"

using corio::http::TooManyRedirects;
using corio::http::detail::follow_up;
using corio::http::detail::is_redirect;
using corio::http::detail::RedirectChain;

TEST_CASE("only 301, 302, 303, 307 and 308 redirect", "[http][redirect]") {
    for (int s : {301, 302, 303, 307, 308}) CHECK(is_redirect(s));
    for (int s : {200, 300, 304, 305, 306, 309, 400}) CHECK_FALSE(is_redirect(s));
}

TEST_CASE("the next request's method and body follow the status", "[http][redirect]") {
    struct Row {
        int status;
        const char* method;
        const char* next;
        bool keep_body;
    };
    const Row rows[] = {
        {303, "POST", "GET", false}, {303, "PUT", "GET", false},      {303, "HEAD", "HEAD", false},
        {303, "GET", "GET", false},  {301, "POST", "GET", false},     {302, "POST", "GET", false},
        {301, "PUT", "PUT", true},   {302, "GET", "GET", true},       {307, "POST", "POST", true},
        {308, "POST", "POST", true}, {308, "DELETE", "DELETE", true},
    };
    for (const Row& r : rows) {
        INFO(r.status << " " << r.method);
        auto f = follow_up(r.status, r.method);
        CHECK(f.method == r.next);
        CHECK(f.keep_body == r.keep_body);
    }
}

TEST_CASE("a redirect chain stops at its maximum and at a repeated request", "[http][redirect]") {
    RedirectChain chain(2);
    chain.next("GET", "http://a/1");
    chain.next("GET", "http://a/2");
    chain.next("GET", "http://a/3");
    CHECK(chain.redirects() == 2);
    CHECK_THROWS_WITH(chain.next("GET", "http://a/4"), Catch::StartsWith("too many redirects"));

    RedirectChain loop(10);
    loop.next("POST", "http://a/form");
    loop.next("GET", "http://a/form");  // same url, other method: not a loop
    loop.next("GET", "http://a/x");
    CHECK_THROWS_AS(loop.next("GET", "http://a/form"), TooManyRedirects);
    CHECK_THROWS_WITH(loop.next("GET", "http://a/form"), Catch::StartsWith("redirect loop"));
}
