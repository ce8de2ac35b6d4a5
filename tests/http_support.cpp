// Implementation of http_support.hpp. Replies are parsed with the library's own response parser
// (src/http/parser.hpp), which test_http_parser.cpp checks on its own.
#include "http_support.hpp"

#include <atomic>
#include <stdexcept>
#include <thread>

#include "http/parser.hpp"
#include "net_support.hpp"

namespace corio_test {

using corio::http::detail::Parser;

namespace {

HttpReply take_reply(Parser& p) {
    return {p.status(), p.reason(), p.headers(), p.body(), p.keep_alive()};
}

}  // namespace

corio::Coro<HttpReply> read_reply(corio::Stream& s, std::string& buffer, bool head,
                                  std::chrono::milliseconds timeout) {
    Parser p(Parser::Kind::Response);
    p.expect_head_response(head);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string data = std::move(buffer);
    buffer.clear();
    for (;;) {
        auto r = p.feed(data);
        if (r.status == Parser::Status::Complete || r.status == Parser::Status::Upgrade) {
            buffer = data.substr(r.consumed);
            co_return take_reply(p);
        }
        if (r.status == Parser::Status::Error) {
            throw std::runtime_error("malformed reply: " + p.error_reason());
        }
        auto left = deadline - std::chrono::steady_clock::now();
        std::string more = co_await corio::wait_for(s.read(), left);
        if (more.empty()) {
            if (p.finish() == Parser::Eof::Complete) co_return take_reply(p);
            throw std::runtime_error("end of stream before a complete reply");
        }
        data = std::move(more);
    }
}

corio::Coro<std::string> read_to_eof(corio::Stream& s, std::chrono::milliseconds timeout) {
    std::string all;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    try {
        for (;;) {
            auto left = deadline - std::chrono::steady_clock::now();
            std::string more = co_await corio::wait_for(s.read(), left);
            if (more.empty()) break;
            all += more;
        }
    } catch (const corio::TimeoutError&) {
    } catch (const corio::ConnectionError&) {
    }
    co_return all;
}

corio::Coro<HttpReply> raw_exchange(uint16_t port, std::string raw,
                                    std::chrono::milliseconds timeout) {
    corio::Stream s = co_await corio::open_connection("127.0.0.1", port);
    s.write(raw);
    std::string buffer;
    co_return co_await read_reply(s, buffer, raw.rfind("HEAD ", 0) == 0, timeout);
}

corio::Coro<ChildRun> run_child(std::vector<std::string> argv, std::chrono::milliseconds timeout) {
    ChildRun result;
    std::atomic<bool> done{false};
    std::thread t([&] {
        Child child(argv);
        result.out = child.read_all(timeout);
        result.status = child.wait(timeout);
        done = true;
    });
    while (!done) co_await corio::sleep(std::chrono::milliseconds(2));
    t.join();
    co_return result;
}

}  // namespace corio_test
