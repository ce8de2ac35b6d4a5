// detail::Parser in response mode, on the llhttp 8.1.0 cases of the notes (section E.2) that ask
// something of the client: HEAD, 1xx/204/304 bodies, 100 Continue, close-delimited bodies,
// several responses in one buffer, trailers, a 101, the body sink.
#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "http/parser.hpp"
#include "http_parser_support.hpp"

using namespace corio_test;  // Parser, Kind, Status, Eof, limits and the feeding helpers

TEST_CASE("a response to HEAD has no body whatever Content-Length says", "[http_parser]") {
    Parser p(Kind::Response);
    p.expect_head_response(true);
    std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 123\r\n\r\n";
    std::string get = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody";
    auto r = p.feed(head + get);
    REQUIRE(r.status == Status::Complete);
    REQUIRE(r.consumed == head.size());
    REQUIRE(p.body().empty());
    REQUIRE(p.content_length() == 123u);
    // The HEAD flag held for that response only: the next one reads its 4 bytes.
    auto r2 = p.feed(get);
    REQUIRE(r2.status == Status::Complete);
    REQUIRE(p.body() == "body");
}

TEST_CASE("304 and 204 responses have no body even with a Content-Length", "[http_parser]") {
    for (std::string status : {"304 Not Modified", "204 No Content"}) {
        Run r = parse_response("HTTP/1.1 " + status +
                               "\r\nContent-Length: 100\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: "
                               "2\r\n\r\nok");
        REQUIRE(r.messages.size() == 2);
        REQUIRE(r.messages[0].body.empty());
        REQUIRE(r.messages[1].status == 200);
        REQUIRE(r.messages[1].body == "ok");
    }
}

TEST_CASE("100 Continue before a 200 in one buffer yields only the 200", "[http_parser]") {
    Run r = parse_response(
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-A: 1\r\n\r\nok");
    REQUIRE(r.last == Status::Complete);
    REQUIRE(r.messages.size() == 1);
    REQUIRE(r.messages[0].status == 200);
    REQUIRE(r.messages[0].reason == "OK");
    REQUIRE(r.messages[0].body == "ok");
    REQUIRE(r.messages[0].headers.size() == 2);
}

TEST_CASE("end of stream after an interim 100 is a truncation, not an idle close",
          "[http_parser]") {
    Parser p(Kind::Response);
    REQUIRE(p.feed(std::string("HTTP/1.1 100 Continue\r\n\r\n")).status == Status::NeedMore);
    REQUIRE(p.finish() == Eof::Truncated);
    REQUIRE(p.error() == ParseError::Malformed);
}

TEST_CASE("a response without length or chunking ends at end of stream", "[http_parser]") {
    Parser p(Kind::Response);
    REQUIRE(p.feed(std::string("HTTP/1.1 200 OK\r\n\r\npart one, ")).status == Status::NeedMore);
    REQUIRE(p.feed(std::string("part two")).status == Status::NeedMore);
    REQUIRE(p.in_message());
    REQUIRE(p.finish() == Eof::Complete);
    REQUIRE(p.body() == "part one, part two");
    REQUIRE_FALSE(p.keep_alive());
}

TEST_CASE("end of stream before any byte, or right after a message, is an idle close",
          "[http_parser]") {
    Parser fresh(Kind::Response);
    REQUIRE(fresh.finish() == Eof::Idle);
    Parser after(Kind::Response);
    REQUIRE(after.feed(std::string("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx")).status ==
            Status::Complete);
    // Still paused after the message: finish must not be swallowed by the pause.
    REQUIRE(after.finish() == Eof::Idle);
    REQUIRE(after.error() == ParseError::None);
}

TEST_CASE("two responses in one buffer keep their boundaries", "[http_parser]") {
    std::string a = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none";
    std::string b =
        "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\ntwo\r\n0\r\n\r\n";
    Parser p(Kind::Response);
    auto r = p.feed(a + b);
    REQUIRE(r.status == Status::Complete);
    REQUIRE(r.consumed == a.size());
    REQUIRE(p.body() == "one");
    auto r2 = p.feed(b);
    REQUIRE(r2.status == Status::Complete);
    REQUIRE(r2.consumed == b.size());
    REQUIRE(p.status() == 404);
    REQUIRE(p.reason() == "Not Found");
    REQUIRE(p.body() == "two");
}

TEST_CASE("trailers after a chunked body are read and dropped", "[http_parser]") {
    Run r = parse_response(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Head: 1\r\n\r\n4\r\nwiki\r\n0\r\n"
        "X-Trailer: secret\r\nX-Other: 2\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n");
    REQUIRE(r.messages.size() == 2);
    REQUIRE(r.messages[0].body == "wiki");
    REQUIRE(r.messages[0].headers.size() == 2);
    REQUIRE_FALSE(r.messages[0].headers.contains("X-Trailer"));
    REQUIRE(r.messages[1].status == 204);
}

TEST_CASE("a status line without a reason phrase is fine", "[http_parser]") {
    Run r = parse_response("HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok");
    REQUIRE(r.messages.size() == 1);
    REQUIRE(r.messages[0].status == 200);
    REQUIRE(r.messages[0].reason.empty());
    REQUIRE(r.messages[0].body == "ok");
}

TEST_CASE("a 101 response switches protocols with the following bytes left over", "[http_parser]") {
    std::string head =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
    Run r = parse_response(head + "\x81\x02hi");
    REQUIRE(r.last == Status::Upgrade);
    REQUIRE(r.offset == head.size());
    REQUIRE(r.messages.back().status == 101);
}

TEST_CASE("a body sink gets the body as it arrives, and its exception comes out of feed",
          "[http_parser]") {
    Parser p(Kind::Response);
    std::vector<std::string> pieces;
    p.set_body_sink([&](std::string_view s) { pieces.emplace_back(s); });
    std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n";
    REQUIRE(p.feed(head + "abc").status == Status::NeedMore);
    REQUIRE(p.feed(std::string("def")).status == Status::Complete);
    REQUIRE(pieces == std::vector<std::string>{"abc", "def"});
    REQUIRE(p.body().empty());

    Parser failing(Kind::Response);
    failing.set_body_sink([](std::string_view) { throw std::runtime_error("inflate failed"); });
    REQUIRE_THROWS_WITH(failing.feed(head + "abc"), "inflate failed");
    REQUIRE(failing.feed(std::string("def")).status == Status::Error);
}

TEST_CASE("a reason phrase over max_line is an error in response mode", "[http_parser]") {
    ParserLimits limits;
    limits.max_line = 16;
    Parser p(Kind::Response, limits);
    REQUIRE(p.feed("HTTP/1.1 200 " + std::string(40, 'r') + "\r\n\r\n").status == Status::Error);
    REQUIRE(p.error() == ParseError::LineTooLong);
}

TEST_CASE("a response with Connection: close stops after its body; what trails is not parsed",
          "[http_parser]") {
    std::string resp = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok";
    Parser p(Kind::Response);
    auto r = p.feed(resp + "garbage after the body");
    REQUIRE(r.status == Status::Complete);
    REQUIRE(r.consumed == resp.size());
    REQUIRE(p.body() == "ok");
    REQUIRE_FALSE(p.keep_alive());
}
