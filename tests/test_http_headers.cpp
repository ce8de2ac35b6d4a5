// http::Headers: names compared without case, repeated fields kept in arrival order, set
// replacing every field of a name, remove, and has_token on comma-separated lists.
#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "corio/http/headers.hpp"

using corio::http::Headers;
using corio::http::iequals;

namespace {

// "name: value" for every field, in iteration order.
std::vector<std::string> lines(const Headers& h) {
    std::vector<std::string> out;
    for (const auto& f : h) out.push_back(f.name + ": " + f.value);
    return out;
}

using Lines = std::vector<std::string>;

}  // namespace

TEST_CASE("iequals compares ASCII letters without case and nothing else", "[headers]") {
    REQUIRE(iequals("Content-Type", "content-type"));
    REQUIRE(iequals("ETAG", "etag"));
    REQUIRE(iequals("", ""));
    REQUIRE_FALSE(iequals("Content-Type", "Content-Typ"));
    REQUIRE_FALSE(iequals("a", "b"));
    // '[' and '{' differ by the same bit as 'A' and 'a', yet are different characters.
    REQUIRE_FALSE(iequals("[", "{"));
    REQUIRE_FALSE(iequals("@", "`"));
    REQUIRE_FALSE(iequals("\xC3\x89", "\xC3\xA9"));  // only ASCII folds
}

TEST_CASE("get finds a field whatever the case of its name, the first of several", "[headers]") {
    Headers h{{"Content-Type", "text/html"}, {"X-Id", "1"}, {"x-id", "2"}};
    REQUIRE(h.get("content-type") == std::optional<std::string_view>("text/html"));
    REQUIRE(h.get("CONTENT-TYPE") == std::optional<std::string_view>("text/html"));
    REQUIRE(h.get("X-ID") == std::optional<std::string_view>("1"));
    REQUIRE_FALSE(h.get("Content-Length").has_value());
    REQUIRE_FALSE(h.get("Content-Typ").has_value());
    REQUIRE(h.contains("x-Id"));
    REQUIRE_FALSE(h.contains("Host"));
    // An empty value is present, not missing.
    Headers empty_value{{"X-Empty", ""}};
    REQUIRE(empty_value.get("x-empty") == std::optional<std::string_view>(""));
}

TEST_CASE("repeated names keep every value in arrival order", "[headers]") {
    Headers h;
    REQUIRE(h.empty());
    h.add("Set-Cookie", "a=1");
    h.add("Date", "today");
    h.add("set-cookie", "b=2");
    h.add("SET-COOKIE", "c=3");
    REQUIRE(h.size() == 4);
    REQUIRE(h.get_all("Set-Cookie") == std::vector<std::string_view>{"a=1", "b=2", "c=3"});
    REQUIRE(h.get_all("missing").empty());
    // Iteration is arrival order, names as they were given.
    REQUIRE(lines(h) ==
            Lines{"Set-Cookie: a=1", "Date: today", "set-cookie: b=2", "SET-COOKIE: c=3"});
}

TEST_CASE("set replaces every field of a name by one, in the first one's place", "[headers]") {
    Headers h{{"Accept", "a"}, {"X-Tag", "1"}, {"Host", "h"}, {"x-tag", "2"}, {"X-TAG", "3"}};
    h.set("x-Tag", "new");
    REQUIRE(h.get_all("X-Tag") == std::vector<std::string_view>{"new"});
    REQUIRE(lines(h) == Lines{"Accept: a", "x-Tag: new", "Host: h"});
    // A name not there yet is added at the end.
    h.set("User-Agent", "corio");
    REQUIRE(lines(h) == Lines{"Accept: a", "x-Tag: new", "Host: h", "User-Agent: corio"});
    // Setting the one field there is changes only its value.
    h.set("HOST", "other");
    REQUIRE(h.size() == 4);
    REQUIRE(h.get("host") == std::optional<std::string_view>("other"));
}

TEST_CASE("remove drops every field of a name and says how many", "[headers]") {
    Headers h{{"A", "1"}, {"b", "2"}, {"a", "3"}, {"C", "4"}};
    REQUIRE(h.remove("a") == 2);
    REQUIRE(lines(h) == Lines{"b: 2", "C: 4"});
    REQUIRE(h.remove("a") == 0);
    REQUIRE(h.remove("B") == 1);
    REQUIRE(h.remove("c") == 1);
    REQUIRE(h.empty());
    h.add("x", "1");
    h.clear();
    REQUIRE(h.size() == 0);
}

TEST_CASE("has_token finds a token in comma lists across fields, in any case", "[headers]") {
    Headers h{{"Connection", "keep-alive, Upgrade"}, {"Upgrade", "websocket"}};
    REQUIRE(h.has_token("Connection", "upgrade"));
    REQUIRE(h.has_token("connection", "KEEP-ALIVE"));
    REQUIRE(h.has_token("Upgrade", "WebSocket"));
    REQUIRE_FALSE(h.has_token("Connection", "close"));
    REQUIRE_FALSE(h.has_token("Missing", "upgrade"));
    // The token is in another field's name, not this one's value.
    REQUIRE_FALSE(h.has_token("Connection", "websocket"));

    // A whole list element, never a substring of one.
    Headers partial{{"Connection", "upgraded, keep-alive-ish, xclose"}};
    REQUIRE_FALSE(partial.has_token("Connection", "upgrade"));
    REQUIRE_FALSE(partial.has_token("Connection", "keep-alive"));
    REQUIRE_FALSE(partial.has_token("Connection", "close"));

    // Spaces and tabs around elements, empty elements, and a list split over repeated fields.
    Headers spread{{"Transfer-Encoding", " gzip ,\t,"}, {"transfer-encoding", "\tChunked\t"}};
    REQUIRE(spread.has_token("Transfer-Encoding", "gzip"));
    REQUIRE(spread.has_token("Transfer-Encoding", "chunked"));
    REQUIRE_FALSE(spread.has_token("Transfer-Encoding", "deflate"));
    Headers single{{"Connection", "close"}};
    REQUIRE(single.has_token("Connection", "close"));
    REQUIRE_FALSE(Headers{}.has_token("Connection", "close"));
}

TEST_CASE("add_empty appends a field that is filled in place, in order with add", "[headers]") {
    Headers h;
    h.add("A", "1");
    Headers::Field& f = h.add_empty();
    f.name = "Set-Cookie";
    f.value.append("x=");
    f.value.append("1");
    h.add("set-cookie", "y=2");
    REQUIRE(h.size() == 3);
    REQUIRE(h.get("set-cookie") == "x=1");
    REQUIRE(h.get_all("Set-Cookie") == std::vector<std::string_view>{"x=1", "y=2"});
}
