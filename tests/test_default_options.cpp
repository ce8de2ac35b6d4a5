// The calls a user writes first, with every option left at its default, straight inside a
// co_await expression. g++ 12 destroys twice an aggregate temporary with owning members written
// in a co_await expression (a default argument is one), so these entry points take no defaulted
// options argument: this test, run under ASan in CI, keeps it that way.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "corio/corio.hpp"

using namespace std::chrono_literals;

namespace {

corio::Coro<void> echo_ws(corio::ws::Connection& ws) {
    while (auto msg = co_await ws.recv()) co_await ws.send(msg->text());
}

corio::Coro<corio::http::Response> hello(corio::http::Request&) {
    co_return corio::http::Response::text(200, "hello from a server with default options");
}

corio::Coro<std::string> ws_round_trip() {
    corio::Server server = co_await corio::ws::serve(echo_ws, "127.0.0.1", 0);
    corio::ws::Connection ws =
        co_await corio::ws::connect("ws://127.0.0.1:" + std::to_string(server.port()) + "/");
    co_await ws.send("a message long enough to live on the heap, not in a small buffer");
    auto reply = co_await ws.recv();
    co_await ws.close();
    server.close();
    co_await server.wait_closed();
    co_return reply ? std::string(reply->text()) : std::string("(closed)");
}

corio::Coro<std::string> http_round_trip() {
    corio::Server server = co_await corio::http::serve(hello, "127.0.0.1", 0);
    corio::http::ClientSession session;
    corio::http::Response r =
        co_await session.get("http://127.0.0.1:" + std::to_string(server.port()) + "/");
    co_await session.close();
    server.close();
    co_await server.wait_closed();
    co_return r.body;
}

}  // namespace

TEST_CASE("ws::serve and ws::connect with default options, inside co_await", "[defaults]") {
    std::string reply = corio::run(corio::wait_for(ws_round_trip(), 10s));
    REQUIRE(reply == "a message long enough to live on the heap, not in a small buffer");
}

TEST_CASE("http::serve and ClientSession with default options, inside co_await", "[defaults]") {
    std::string body = corio::run(corio::wait_for(http_round_trip(), 10s));
    REQUIRE(body == "hello from a server with default options");
}
