// Hostile clients against ws::serve, over raw sockets: each bad input ends with the right close
// code (or a closed socket), the server goes on serving a well-behaved client afterwards, and no
// descriptor is left behind. The rows of ../shared/notes/llhttp-wslay.md D.2 that need corio's
// help are all here.
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "corio/corio.hpp"
#include "corio/ws/server.hpp"
#include "net_support.hpp"
#include "ws_support.hpp"

using namespace std::chrono_literals;
using corio::Coro;
using corio_test::ws_close_payload;
using corio_test::ws_frame;

namespace {

corio::ws::ServerOptions hostile_options() {
    corio::ws::ServerOptions o;
    o.ping_interval = 0ms;
    o.close_timeout = 2s;
    o.open_timeout = 1s;
    o.max_message_size = 64 * 1024;
    o.max_fragments = 1000;
    return o;
}

struct Probe {
    int code = -1;        // close code the client received; 0: none before the socket ended
    bool closed = false;  // the server ended the TCP connection afterwards
    bool still_serves = false;
    bool fds_back = false;  // the process has no more descriptors than before the server
};

Probe send_and_watch(uint16_t port, const std::string& bytes, bool shut_write) {
    Probe p;
    int fd = corio_test::ws_raw_open(port);
    if (fd < 0) return p;
    corio_test::raw_send_all(fd, bytes);
    if (shut_write) shutdown(fd, SHUT_WR);
    p.code = corio_test::ws_read_close_code(fd, 5s);
    p.closed = corio_test::ws_raw_closed(fd, 5s);
    close(fd);
    return p;
}

bool good_client(uint16_t port) {
    int fd = corio_test::ws_raw_open(port);
    if (fd < 0) return false;
    corio_test::raw_send_all(fd, ws_frame(1, "still here"));
    corio_test::RawFrame f = corio_test::ws_read_frame(fd, 5s);
    corio_test::raw_send_all(fd, ws_frame(8, ws_close_payload(1000)));
    int code = corio_test::ws_read_close_code(fd, 5s);
    bool closed = corio_test::ws_raw_closed(fd, 5s);
    close(fd);
    return f.opcode == 1 && f.payload == "still here" && code == 1000 && closed;
}

Coro<Probe> probe(std::string bytes, bool shut_write = false,
                  corio::ws::ServerOptions o = hostile_options()) {
    size_t fds_before = corio_test::count_open_fds();
    corio::Server server = co_await corio::ws::serve(corio_test::ws_echo, "127.0.0.1", 0, o);
    uint16_t port = server.port();
    auto attack = [port, bytes, shut_write] { return send_and_watch(port, bytes, shut_write); };
    Probe p = co_await corio::to_thread(attack);
    auto good = [port] { return good_client(port); };
    p.still_serves = co_await corio::to_thread(good);
    server.close();
    co_await corio::wait_for(server.wait_closed(), 5s);
    for (int i = 0; i < 100 && corio_test::count_open_fds() > fds_before; ++i)
        co_await corio::sleep(10ms);
    p.fds_back = corio_test::count_open_fds() <= fds_before;
    co_return p;
}

void require_closed_with(const Probe& p, int code) {
    REQUIRE(p.code == code);
    REQUIRE(p.closed);
    REQUIRE(p.still_serves);
    REQUIRE(p.fds_back);
}

}  // namespace

TEST_CASE("an unmasked client frame closes with 1002", "[ws][hostile]") {
    Probe p = corio::run(probe(ws_frame(1, "naked", true, false)));
    require_closed_with(p, 1002);
}

TEST_CASE("reserved opcodes close with 1002", "[ws][hostile]") {
    require_closed_with(corio::run(probe(ws_frame(3, "x"))), 1002);
    require_closed_with(corio::run(probe(ws_frame(11, "x"))), 1002);
}

TEST_CASE("an RSV bit nobody negotiated closes with 1002", "[ws][hostile]") {
    require_closed_with(corio::run(probe(ws_frame(1, "x", true, true, 4))), 1002);
    require_closed_with(corio::run(probe(ws_frame(1, "x", true, true, 1))), 1002);
}

TEST_CASE("a 64-bit length with the top bit set closes with 1002, not an empty close",
          "[ws][hostile]") {
    Probe p = corio::run(probe(corio_test::ws_frame_len64(2, 0x8000000000000001ull, "abc")));
    require_closed_with(p, 1002);
}

TEST_CASE("a control frame over 125 bytes or fragmented closes with 1002", "[ws][hostile]") {
    require_closed_with(corio::run(probe(ws_frame(9, std::string(126, 'p')))), 1002);
    require_closed_with(corio::run(probe(ws_frame(9, "frag", false))), 1002);
}

TEST_CASE("invalid UTF-8 closes with 1007, also when split across fragments", "[ws][hostile]") {
    require_closed_with(corio::run(probe(ws_frame(1, "bad \xff here"))), 1007);
    // "\xe2\x82" starts a 3-byte sequence; the continuation brings '(' instead of its end.
    std::string split = ws_frame(1, "ok \xe2\x82", false) + ws_frame(0, "(", true);
    require_closed_with(corio::run(probe(split)), 1007);
}

TEST_CASE("a close frame with a 1-byte payload is answered 1002", "[ws][hostile]") {
    require_closed_with(corio::run(probe(ws_frame(8, "x"))), 1002);
}

TEST_CASE("close frames with invalid codes are answered 1002", "[ws][hostile]") {
    require_closed_with(corio::run(probe(ws_frame(8, ws_close_payload(999)))), 1002);
    require_closed_with(corio::run(probe(ws_frame(8, ws_close_payload(1005)))), 1002);
    require_closed_with(corio::run(probe(ws_frame(8, ws_close_payload(5000)))), 1002);
}

TEST_CASE("a frame header announcing more than max_message_size closes with 1009 at once",
          "[ws][hostile]") {
    // A header announcing 10 MiB and the first 1000 bytes of it: the decision cannot wait for
    // the rest (wslay makes it at the first payload byte).
    std::string header = corio_test::ws_frame_len64(2, 10u << 20, std::string(1000, 'x'));
    require_closed_with(corio::run(probe(header)), 1009);
    // Fragments adding up past the limit.
    std::string half(40 * 1024, 'h');
    require_closed_with(corio::run(probe(ws_frame(2, half, false) + ws_frame(0, half, true))),
                        1009);
}

TEST_CASE("end of stream in the middle of a frame closes the connection", "[ws][hostile]") {
    std::string frame = ws_frame(1, std::string(1000, 'e'));
    Probe p = corio::run(probe(frame.substr(0, 300), true));
    REQUIRE(p.code == 0);  // nothing to say to a peer that left
    REQUIRE(p.closed);
    REQUIRE(p.still_serves);
    REQUIRE(p.fds_back);
}

TEST_CASE("a million one-byte fragments stop at the fragment limit with 1009", "[ws][hostile]") {
    std::string flood = ws_frame(1, "a", false);
    std::string one = ws_frame(0, "a", false);
    flood.reserve(one.size() * 1000000);
    for (int i = 0; i < 1000000; ++i) flood += one;
    long rss_before = corio_test::rss_kib();
    Probe p = corio::run(probe(std::move(flood)));
    require_closed_with(p, 1009);
    // wslay spends ~96 bytes per buffered fragment: 1,000,000 would be ~94 MiB.
#ifndef __SANITIZE_ADDRESS__
    REQUIRE(corio_test::rss_kib() - rss_before < 40 * 1024);
#else
    (void)rss_before;
#endif
}

TEST_CASE("a client that never finishes its handshake is dropped after open_timeout",
          "[ws][hostile]") {
    corio::run([]() -> Coro<void> {
        auto o = hostile_options();
        o.open_timeout = 200ms;
        corio::Server server = co_await corio::ws::serve(corio_test::ws_echo, "127.0.0.1", 0, o);
        uint16_t port = server.port();
        auto slow = [port] {
            int fd = corio_test::raw_connect(port);
            corio_test::raw_send_all(fd, "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n");
            bool closed = corio_test::ws_raw_closed(fd, 5s);
            close(fd);
            return closed;
        };
        bool closed = co_await corio::to_thread(slow);
        REQUIRE(closed);
        auto good = [port] { return good_client(port); };
        bool ok = co_await corio::to_thread(good);
        REQUIRE(ok);
    }());
}

namespace {

// Sends bytes until the server stops taking them (send blocks for 1 s), never reading; returns
// how much went out, then drops the connection.
size_t flood_without_reading(uint16_t port, const std::string& unit, size_t max_bytes) {
    int fd = corio_test::ws_raw_open(port);
    if (fd < 0) return 0;
    timeval tv{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    size_t sent = 0;
    while (sent < max_bytes && corio_test::raw_send_all(fd, unit)) sent += unit.size();
    corio_test::raw_reset(fd);
    return sent;
}

Coro<void> flood_case(std::string unit) {
    size_t fds_before = corio_test::count_open_fds();
    corio::Server server =
        co_await corio::ws::serve(corio_test::ws_echo, "127.0.0.1", 0, hostile_options());
    uint16_t port = server.port();
    long rss_before = corio_test::rss_kib();
    size_t max_bytes = 512u << 20;
    auto attack = [port, unit, max_bytes] { return flood_without_reading(port, unit, max_bytes); };
    size_t sent = co_await corio::to_thread(attack);
    long grown = corio_test::rss_kib() - rss_before;
    // The server stopped reading long before 512 MiB: the client could only fill the socket
    // buffers, and the server holds its output mark and one read.
    UNSCOPED_INFO("flood sent " << sent << " bytes, RSS grew " << grown << " KiB");
    REQUIRE(sent < 64u << 20);
#ifndef __SANITIZE_ADDRESS__  // ASan's quarantine keeps every freed block: RSS says nothing
    REQUIRE(grown < 32 * 1024);
#endif
    auto good = [port] { return good_client(port); };
    bool ok = co_await corio::to_thread(good);
    REQUIRE(ok);
    server.close();
    co_await corio::wait_for(server.wait_closed(), 5s);
    for (int i = 0; i < 100 && corio_test::count_open_fds() > fds_before; ++i)
        co_await corio::sleep(10ms);
    REQUIRE(corio_test::count_open_fds() <= fds_before);
}

}  // namespace

TEST_CASE("a client that sends but never reads holds bounded memory", "[ws][hostile]") {
    std::string unit;
    for (int i = 0; i < 16; ++i) unit += ws_frame(2, std::string(4096, 'f'));
    corio::run(flood_case(unit));
}

TEST_CASE("a ping flood from a client that never reads holds bounded memory", "[ws][hostile]") {
    std::string unit;
    for (int i = 0; i < 1000; ++i) unit += ws_frame(9, "ping");
    corio::run(flood_case(unit));
}
