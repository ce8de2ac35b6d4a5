// detail::Parser (src/http/parser.hpp) in request mode and what both modes share: whole and
// byte-by-byte feeds, pipelining, keep-alive, malformed input, upgrades, EOF and the limits.
// Response-only cases (notes section E.2) are in test_http_parser_response.cpp.
#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "http/parser.hpp"
#include "http_parser_support.hpp"

using namespace corio_test;  // Parser, Kind, Status, Eof, limits and the feeding helpers

TEST_CASE("a request is parsed into method, target, version, headers and body", "[http_parser]") {
    Parser p(Kind::Request);
    std::string req =
        "POST /submit?x=1 HTTP/1.1\r\nHost: example.com\r\nX-Empty:\r\nContent-Length: 5\r\n"
        "X-Rep: a\r\nx-rep: b\r\n\r\nhello";
    auto r = p.feed(req);
    REQUIRE(r.status == Status::Complete);
    REQUIRE(r.consumed == req.size());
    REQUIRE(p.method() == "POST");
    REQUIRE(p.target() == "/submit?x=1");
    REQUIRE(p.version_major() == 1);
    REQUIRE(p.version_minor() == 1);
    REQUIRE(p.headers().get("host") == "example.com");
    REQUIRE(p.headers().get("X-Empty") == "");
    REQUIRE(p.headers().get_all("X-REP") == std::vector<std::string_view>{"a", "b"});
    REQUIRE(p.headers().size() == 5);
    REQUIRE(p.content_length() == 5u);
    REQUIRE(p.body() == "hello");
    REQUIRE(p.keep_alive());
    REQUIRE_FALSE(p.in_message());
    REQUIRE(p.finish() == Eof::Idle);
}

TEST_CASE("a message fed one byte at a time parses as when fed whole", "[http_parser]") {
    std::string req =
        "PUT /a/long/path/with/pieces?q=abcdef HTTP/1.1\r\nX-Long-Header-Name: "
        "a value split over many reads\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    Parser whole(Kind::Request), bytes(Kind::Request);
    Run a = parse(whole, req), b = parse(bytes, req, 1);
    REQUIRE(a.messages.size() == 1);
    REQUIRE(b.messages.size() == 1);
    REQUIRE(b.messages[0].target == a.messages[0].target);
    REQUIRE(b.messages[0].headers.get("x-long-header-name") == "a value split over many reads");
    REQUIRE(b.messages[0].body == "hello world");
    REQUIRE(a.messages[0].body == "hello world");
}

TEST_CASE("pipelined requests in one buffer come out one at a time, in order", "[http_parser]") {
    Parser p(Kind::Request);
    std::string one = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n";
    std::string two = "POST /2 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc";
    std::string three = "GET /3 HTTP/1.1\r\n\r\n";
    std::string all = one + two + three;
    auto r1 = p.feed(all);
    REQUIRE(r1.status == Status::Complete);
    REQUIRE(r1.consumed == one.size());
    REQUIRE(p.target() == "/1");
    auto r2 = p.feed(all.data() + r1.consumed, all.size() - r1.consumed);
    REQUIRE(r2.status == Status::Complete);
    REQUIRE(r2.consumed == two.size());
    REQUIRE(p.target() == "/2");
    REQUIRE(p.body() == "abc");
    REQUIRE(p.headers().size() == 1);
    size_t at = r1.consumed + r2.consumed;
    auto r3 = p.feed(all.data() + at, all.size() - at);
    REQUIRE(r3.status == Status::Complete);
    REQUIRE(p.target() == "/3");
    REQUIRE(p.body().empty());
}

TEST_CASE("keep-alive follows the version and the Connection header", "[http_parser]") {
    auto keep = [](const std::string& req) {
        Parser p(Kind::Request);
        Run r = parse(p, req);
        REQUIRE(r.messages.size() == 1);
        return r.messages[0].keep_alive;
    };
    REQUIRE(keep("GET / HTTP/1.1\r\n\r\n"));
    REQUIRE_FALSE(keep("GET / HTTP/1.1\r\nConnection: close\r\n\r\n"));
    REQUIRE_FALSE(keep("GET / HTTP/1.0\r\n\r\n"));
    REQUIRE(keep("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
}

TEST_CASE("Transfer-Encoding without chunked: read to EOF in a response, 400 in a request",
          "[http_parser]") {
    Parser resp(Kind::Response);
    REQUIRE(resp.feed(std::string("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzz")).status ==
            Status::NeedMore);
    REQUIRE(resp.finish() == Eof::Complete);
    REQUIRE(resp.body() == "zz");
    Parser req(Kind::Request);
    auto r = req.feed(std::string("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nzz"));
    REQUIRE(r.status == Status::Error);
    REQUIRE(req.error_status() == 400);
}

TEST_CASE("end of stream inside a body or the headers is a truncation", "[http_parser]") {
    Parser body(Kind::Response);
    body.feed(std::string("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"));
    REQUIRE(body.finish() == Eof::Truncated);
    REQUIRE(body.error() == ParseError::Malformed);
    REQUIRE(body.error_reason().find("end of stream") != std::string::npos);

    Parser chunked(Kind::Response);
    chunked.feed(std::string("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"));
    REQUIRE(chunked.finish() == Eof::Truncated);

    Parser headers(Kind::Response);
    headers.feed(std::string("HTTP/1.1 200 OK\r\nContent-Le"));
    REQUIRE(headers.finish() == Eof::Truncated);

    Parser request(Kind::Request);
    request.feed(std::string("GET / HT"));
    REQUIRE(request.finish() == Eof::Truncated);
}

TEST_CASE("Content-Length with Transfer-Encoding, or twice, is malformed", "[http_parser]") {
    Run both = parse_response(
        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0"
        "\r\n\r\n");
    REQUIRE(both.last == Status::Error);
    Run twice =
        parse_response("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc");
    REQUIRE(twice.last == Status::Error);
    Parser req(Kind::Request);
    auto r = req.feed(
        std::string("POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"));
    REQUIRE(r.status == Status::Error);
    REQUIRE(req.error() == ParseError::Malformed);
    REQUIRE(req.error_status() == 400);
    REQUIRE(req.error_reason().find("HPE_UNEXPECTED_CONTENT_LENGTH") != std::string::npos);
}

TEST_CASE("bad chunking, bare LF and a space before the colon are malformed", "[http_parser]") {
    Run overflow = parse_response(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\n");
    REQUIRE(overflow.last == Status::Error);
    Parser lf(Kind::Response);
    REQUIRE(lf.feed(std::string("HTTP/1.1 200 OK\nContent-Length: 0\n\n")).status == Status::Error);
    REQUIRE(lf.error() == ParseError::Malformed);
    Parser space(Kind::Request);
    REQUIRE(space.feed(std::string("POST / HTTP/1.1\r\nContent-Length : 2\r\n\r\nab")).status ==
            Status::Error);
    REQUIRE(space.error_status() == 400);
    Parser garbage(Kind::Response);
    REQUIRE(garbage.feed(std::string("HTTX/1.1 200 OK\r\n\r\n")).status == Status::Error);
    // An error is sticky.
    REQUIRE(garbage.feed(std::string("HTTP/1.1 200 OK\r\n\r\n")).status == Status::Error);
}

TEST_CASE("an Upgrade request stops where the new protocol's bytes start", "[http_parser]") {
    std::string req =
        "GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: keep-alive, "
        "Upgrade\r\n\r\n";
    for (size_t step : {size_t(0), size_t(1), size_t(7)}) {
        Parser p(Kind::Request);
        Run r = parse(p, req + "\x81\x85leftover", step);
        REQUIRE(r.last == Status::Upgrade);
        REQUIRE(r.offset == req.size());
        REQUIRE(r.messages.back().upgrade);
        REQUIRE(r.messages.back().target == "/chat");
        // Stays stopped until told otherwise.
        REQUIRE(p.feed(std::string("more")).status == Status::Upgrade);
    }
}

TEST_CASE("an h2c upgrade refused by the server goes on as HTTP", "[http_parser]") {
    std::string up =
        "GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
        "HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n";
    std::string next = "GET /next HTTP/1.1\r\n\r\n";
    Parser p(Kind::Request);
    auto r = p.feed(up + next);
    REQUIRE(r.status == Status::Upgrade);
    REQUIRE(r.consumed == up.size());
    REQUIRE(p.headers().get("upgrade") == "h2c");
    p.resume_after_upgrade();
    auto r2 = p.feed(next);
    REQUIRE(r2.status == Status::Complete);
    REQUIRE(p.target() == "/next");
    REQUIRE_FALSE(p.upgrade());
}

TEST_CASE("a request target over max_line is a 414 as soon as it is too long", "[http_parser]") {
    ParserLimits limits;
    limits.max_line = 100;
    Parser p(Kind::Request, limits);
    std::string req = "GET /" + std::string(100, 'a');  // no end of line yet
    auto r = p.feed(req);
    REQUIRE(r.status == Status::Error);
    REQUIRE(p.error() == ParseError::LineTooLong);
    REQUIRE(p.error_status() == 414);
    Parser ok(Kind::Request, limits);
    REQUIRE(ok.feed("GET /" + std::string(99, 'a') + " HTTP/1.1\r\n\r\n").status ==
            Status::Complete);
}

TEST_CASE("header fields over max_header_bytes or max_header_count are a 431", "[http_parser]") {
    ParserLimits limits;
    limits.max_header_bytes = 1024;
    limits.max_header_count = 10;
    Parser big(Kind::Request, limits);
    auto r = big.feed("GET / HTTP/1.1\r\nX-Big: " + std::string(2000, 'v'));
    REQUIRE(r.status == Status::Error);
    REQUIRE(big.error_status() == 431);
    std::string many = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < 11; ++i) many += "X-" + std::to_string(i) + ": 1\r\n";
    Parser count(Kind::Request, limits);
    REQUIRE(count.feed(many + "\r\n").status == Status::Error);
    REQUIRE(count.error() == ParseError::HeadersTooLarge);
    // Trailers count too.
    Parser trailers(Kind::Response, limits);
    auto t = trailers.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: " +
                           std::string(2000, 't'));
    REQUIRE(t.status == Status::Error);
    REQUIRE(trailers.error() == ParseError::HeadersTooLarge);
}

TEST_CASE("a body over max_body is a 413: from Content-Length at once, chunked as it comes",
          "[http_parser]") {
    ParserLimits limits;
    limits.max_body = 10;
    Parser cl(Kind::Request, limits);
    auto r = cl.feed(std::string("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n"));
    REQUIRE(r.status == Status::Error);
    REQUIRE(cl.error() == ParseError::BodyTooLarge);
    REQUIRE(cl.error_status() == 413);
    Parser chunked(Kind::Request, limits);
    auto c = chunked.feed(
        std::string("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n"));
    REQUIRE(c.status == Status::NeedMore);
    REQUIRE(chunked.headers_complete());
    REQUIRE(chunked.feed(std::string("6\r\nghijkl\r\n")).status == Status::Error);
    REQUIRE(chunked.error_status() == 413);
    Parser exact(Kind::Request, limits);
    REQUIRE(
        exact.feed(std::string("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789")).status ==
        Status::Complete);
}
