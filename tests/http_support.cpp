// Implementation of http_support.hpp. Replies are parsed with the library's own response parser
// (src/http/parser.hpp), which test_http_parser.cpp checks on its own.
#include "http_support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
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

TempDir::TempDir() {
    char tmpl[] = "/tmp/corio-http-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::string TempDir::write(const std::string& rel, const std::string& data) const {
    std::filesystem::path full = std::filesystem::path(path_) / rel;
    std::filesystem::create_directories(full.parent_path());
    std::ofstream f(full, std::ios::binary);
    f << data;
    if (!f) throw std::runtime_error("cannot write " + full.string());
    return full.string();
}

uint16_t free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        throw std::runtime_error("free_port: no port");
    }
    ::close(fd);
    return ntohs(a.sin_port);
}

}  // namespace corio_test
