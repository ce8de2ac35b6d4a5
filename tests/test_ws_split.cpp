// Frames cut at every kind of boundary: the server's fast path takes a whole unfragmented data
// frame straight from its read buffer and hands everything else to wslay, so the same byte
// stream, written in pieces of 1, 2, 3, ... bytes (a partial header, a partial mask, a payload
// split anywhere, a ping between fragments), must give the same echoes and pongs.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "corio/corio.hpp"
#include "net_support.hpp"
#include "ws_support.hpp"

using namespace std::chrono_literals;
using corio_test::ws_frame;

namespace {

struct Seen {
    std::vector<std::pair<int, std::string>> data;  // text (1) and binary (2) echoes, in order
    std::vector<std::string> pongs;
    bool complete = false;
};

std::string payload(size_t n, char seed) {
    std::string s(n, ' ');
    for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (seed + i) % 26);
    return s;
}

// The stream every run sends, and the data echoes it must bring back in order.
std::string stream_bytes() {
    std::string b;
    b += ws_frame(1, payload(300, 0));
    b += ws_frame(9, "p");
    b += ws_frame(2, std::string(1000, '\x07'));
    b += ws_frame(1, "ab", false);
    b += ws_frame(9, "q");  // a ping between two fragments of one message
    b += ws_frame(0, "cd", true);
    b += ws_frame(1, "\xc3\xa9t\xc3\xa9");  // UTF-8 with two-byte sequences
    b += ws_frame(2, "");
    return b;
}

Seen send_in_pieces(uint16_t port, size_t piece) {
    Seen seen;
    int fd = corio_test::ws_raw_open(port);
    if (fd < 0) return seen;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::string bytes = stream_bytes();
    for (size_t at = 0; at < bytes.size(); at += piece) {
        corio_test::raw_send_all(fd, bytes.substr(at, piece));
        std::this_thread::sleep_for(std::chrono::microseconds(200));  // one read per piece
    }
    while (seen.data.size() < 5 || seen.pongs.size() < 2) {
        corio_test::RawFrame f = corio_test::ws_read_frame(fd, 5s);
        if (f.opcode < 0) break;
        if (f.opcode == 10) seen.pongs.push_back(f.payload);
        if (f.opcode == 1 || f.opcode == 2) seen.data.emplace_back(f.opcode, f.payload);
    }
    seen.complete = seen.data.size() == 5 && seen.pongs.size() == 2;
    close(fd);
    return seen;
}

corio::Coro<Seen> run_split(size_t piece) {
    corio::ws::ServerOptions o;
    o.ping_interval = 0ms;
    corio::Server server = co_await corio::ws::serve(corio_test::ws_echo, "127.0.0.1", 0, o);
    uint16_t port = server.port();
    auto client = [port, piece] { return send_in_pieces(port, piece); };
    Seen seen = co_await corio::to_thread(client);
    server.close();
    server.close_clients();
    co_await server.wait_closed();
    co_return seen;
}

}  // namespace

TEST_CASE("frames written in pieces of any size echo the same", "[ws][split]") {
    for (size_t piece : {1, 2, 3, 5, 7, 13, 64, 127, 301, 4096}) {
        INFO("pieces of " << piece << " bytes");
        Seen seen = corio::run(corio::wait_for(run_split(piece), 30s));
        REQUIRE(seen.complete);
        REQUIRE(seen.data[0] == std::make_pair(1, payload(300, 0)));
        REQUIRE(seen.data[1] == std::make_pair(2, std::string(1000, '\x07')));
        REQUIRE(seen.data[2] == std::make_pair(1, std::string("abcd")));
        REQUIRE(seen.data[3] == std::make_pair(1, std::string("\xc3\xa9t\xc3\xa9")));
        REQUIRE(seen.data[4] == std::make_pair(2, std::string()));
        REQUIRE(seen.pongs == std::vector<std::string>{"p", "q"});
    }
}
