// Helpers of the client tests that script a server with corio::start_server: a fixture that
// runs a body against such a server (counting accepts), canned answers, and the error a request
// ends in. Header-only, included by test_http_client_faults.cpp and test_http_client_rules.cpp.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "corio/corio.hpp"
#include "corio/http/client.hpp"
#include "http_peer_support.hpp"

namespace corio_test {

using Handler = std::function<corio::Coro<void>(corio::Stream)>;

// Runs body(base_url) with a server on 127.0.0.1 whose connections run handler; counts accepts.
struct Fixture {
    int accepts = 0;
    void run(Handler handler, std::function<corio::Coro<void>(std::string)> body) {
        Handler counted = [this, handler](corio::Stream s) -> corio::Coro<void> {
            ++accepts;
            try {
                co_await handler(std::move(s));
            } catch (const corio::ConnectionError&) {
                // The client hung up on a misbehaving answer: expected here.
            }
        };
        corio::run([&]() -> corio::Coro<void> {
            corio::Server server = co_await corio::start_server(counted, "127.0.0.1", 0);
            std::string base = "http://127.0.0.1:" + std::to_string(server.port());
            co_await corio::wait_for(body(base), std::chrono::seconds(30));
            server.close();
            server.close_clients();
            co_await corio::wait_for(server.wait_closed(), std::chrono::seconds(5));
        }());
    }
};

// Answers every request on the connection with reply(request); closes after an answer that
// says Connection: close.
inline Handler answer(std::function<std::string(const corio_test::RawRequest&)> reply) {
    return [reply](corio::Stream s) -> corio::Coro<void> {
        while (auto req = co_await read_request(s)) {
            std::string out = reply(*req);
            s.write(out);
            co_await s.drain();
            if (out.find("Connection: close\r\n") != std::string::npos) co_return;
        }
    };
}

inline std::string ok(const std::string& body, const std::string& extra = "") {
    return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra +
           "\r\n" + body;
}

// The message of what awaiting c throws as E ("" when it throws nothing or something else).
template <class E>
corio::Coro<std::string> error_of(corio::Coro<corio::http::Response> c) {
    try {
        co_await corio::wait_for(std::move(c), std::chrono::seconds(10));
    } catch (const E& e) {
        co_return std::string("E: ") + e.what();
    } catch (const std::exception& e) {
        co_return std::string("other: ") + e.what();
    }
    co_return "";
}

inline bool starts(const std::string& s, const std::string& prefix) {
    return s.rfind(prefix, 0) == 0;
}

}  // namespace corio_test
