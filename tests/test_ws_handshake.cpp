// The opening handshake's pure parts: RFC 6455's accept key example, the checks on an Upgrade
// request (tokens in lists and any case, version 426, key shape), subprotocol choice, and the
// client's checks on a 101 answer.
#include <catch2/catch.hpp>

#include "corio/ws/handshake.hpp"

using corio::http::Headers;
using namespace corio::ws;

namespace {
Headers good_request() {
    return Headers{{"Host", "example.com"},
                   {"Upgrade", "websocket"},
                   {"Connection", "Upgrade"},
                   {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                   {"Sec-WebSocket-Version", "13"}};
}
}  // namespace

TEST_CASE("the accept key of RFC 6455's example key is the RFC's", "[ws][handshake]") {
    REQUIRE(accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST_CASE("a key must be base64 of exactly 16 bytes", "[ws][handshake]") {
    REQUIRE(valid_key("dGhlIHNhbXBsZSBub25jZQ=="));
    REQUIRE(valid_key(make_key()));
    REQUIRE(make_key() != make_key());
    REQUIRE_FALSE(valid_key(""));
    REQUIRE_FALSE(valid_key("dGhlIHNhbXBsZSBub25jZQ"));    // no padding
    REQUIRE_FALSE(valid_key("dGhlIHNhbXBsZSBub25jZWE="));  // 17 bytes
    REQUIRE_FALSE(valid_key("dGhlIHNhbXBsZSBub25j!!=="));  // not base64
    REQUIRE_FALSE(valid_key("c2hvcnQ="));                  // 5 bytes
}

TEST_CASE("a proper upgrade request is accepted with its accept key", "[ws][handshake]") {
    UpgradeCheck c = check_upgrade("GET", good_request());
    REQUIRE(c.ok);
    REQUIRE(c.status == 101);
    REQUIRE(c.accept == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST_CASE("Upgrade and Connection tokens match in lists and in any case", "[ws][handshake]") {
    Headers h = good_request();
    h.set("Connection", "keep-alive, Upgrade");  // Firefox
    h.set("Upgrade", "WebSocket");
    REQUIRE(check_upgrade("GET", h).ok);
    h.set("Connection", "keep-alive");
    h.add("Connection", "upgrade");  // split over two fields
    REQUIRE(check_upgrade("GET", h).ok);
}

TEST_CASE("bad upgrade requests get 400, another version 426", "[ws][handshake]") {
    Headers h = good_request();
    UpgradeCheck c = check_upgrade("POST", h);
    REQUIRE((!c.ok && c.is_websocket && c.status == 400));

    h.set("Connection", "keep-alive");
    c = check_upgrade("GET", h);
    REQUIRE((!c.ok && c.status == 400));
    REQUIRE_THAT(c.error, Catch::Contains("Connection"));

    h = good_request();
    h.set("Sec-WebSocket-Version", "8");
    c = check_upgrade("GET", h);
    REQUIRE((!c.ok && c.status == 426));

    h = good_request();
    h.remove("Sec-WebSocket-Version");
    REQUIRE(check_upgrade("GET", h).status == 426);

    h = good_request();
    h.set("Sec-WebSocket-Key", "not a key");
    c = check_upgrade("GET", h);
    REQUIRE((!c.ok && c.status == 400));
    h.remove("Sec-WebSocket-Key");
    REQUIRE(check_upgrade("GET", h).status == 400);
}

TEST_CASE("a request that does not ask for a WebSocket is plain HTTP, h2c too", "[ws][handshake]") {
    REQUIRE_FALSE(check_upgrade("GET", Headers{{"Host", "x"}}).is_websocket);
    Headers h2c{{"Upgrade", "h2c"}, {"Connection", "Upgrade, HTTP2-Settings"}};
    UpgradeCheck c = check_upgrade("GET", h2c);
    REQUIRE_FALSE(c.is_websocket);
    REQUIRE_FALSE(c.ok);
}

TEST_CASE("the subprotocol is the first offer the server supports", "[ws][handshake]") {
    Headers h{{"Sec-WebSocket-Protocol", "chat.v2, chat"}, {"Sec-WebSocket-Protocol", "x"}};
    REQUIRE(select_subprotocol(h, {"chat", "x"}) == "chat");
    REQUIRE(select_subprotocol(h, {"x"}) == "x");
    REQUIRE(select_subprotocol(h, {"other"}).empty());
    REQUIRE(select_subprotocol(Headers{}, {"chat"}).empty());
}

TEST_CASE("the client checks status, tokens and the accept key of the answer", "[ws][handshake]") {
    std::string key = "dGhlIHNhbXBsZSBub25jZQ==";
    Headers ok{{"Upgrade", "websocket"},
               {"Connection", "Upgrade"},
               {"Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="}};
    REQUIRE(check_accept(101, ok, key).empty());
    REQUIRE_THAT(check_accept(200, ok, key), Catch::Contains("200"));
    Headers bad = ok;
    bad.set("Sec-WebSocket-Accept", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    REQUIRE_THAT(check_accept(101, bad, key), Catch::Contains("Accept"));
    bad = ok;
    bad.remove("Upgrade");
    REQUIRE_FALSE(check_accept(101, bad, key).empty());
    bad = ok;
    bad.set("Connection", "keep-alive");
    REQUIRE_FALSE(check_accept(101, bad, key).empty());
    bad = ok;
    bad.add("Sec-WebSocket-Extensions", "permessage-deflate");
    REQUIRE_FALSE(check_accept(101, bad, key).empty());
}
