// Helpers for the WebSocket tests (see ws_support.hpp).
#include "ws_support.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net_support.hpp"

namespace corio_test {

namespace {
constexpr uint8_t kMask[4] = {0x37, 0xfa, 0x21, 0x3d};

void append_payload(std::string& f, std::string_view payload, bool mask) {
    if (!mask) {
        f.append(payload);
        return;
    }
    f.append(reinterpret_cast<const char*>(kMask), 4);
    for (size_t i = 0; i < payload.size(); ++i) f.push_back(char(payload[i] ^ kMask[i % 4]));
}
}  // namespace

std::string ws_frame(uint8_t opcode, std::string_view payload, bool fin, bool mask, uint8_t rsv) {
    std::string f;
    f.push_back(char((fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f)));
    uint8_t m = mask ? 0x80 : 0;
    size_t n = payload.size();
    if (n < 126) {
        f.push_back(char(m | n));
    } else if (n < 65536) {
        f.push_back(char(m | 126));
        f.push_back(char(n >> 8));
        f.push_back(char(n));
    } else {
        f.push_back(char(m | 127));
        for (int i = 7; i >= 0; --i) f.push_back(char(uint64_t(n) >> (8 * i)));
    }
    append_payload(f, payload, mask);
    return f;
}

std::string ws_frame_len64(uint8_t opcode, uint64_t length_field, std::string_view payload) {
    std::string f;
    f.push_back(char(0x80 | opcode));
    f.push_back(char(0x80 | 127));
    for (int i = 7; i >= 0; --i) f.push_back(char(length_field >> (8 * i)));
    append_payload(f, payload, true);
    return f;
}

std::string ws_close_payload(uint16_t code, std::string_view reason) {
    std::string p;
    p.push_back(char(code >> 8));
    p.push_back(char(code));
    p.append(reason);
    return p;
}

int ws_raw_open(uint16_t port, const std::string& path) {
    int fd = raw_connect(port);
    std::string req = "GET " + path +
                      " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: "
                      "Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      "Sec-WebSocket-Version: 13\r\n\r\n";
    if (!raw_send_all(fd, req)) {
        close(fd);
        return -1;
    }
    std::string head;
    while (head.find("\r\n\r\n") == std::string::npos) {
        std::string c = raw_recv_exactly(fd, 1, std::chrono::seconds(5));
        if (c.empty()) break;
        head += c;
    }
    if (head.rfind("HTTP/1.1 101", 0) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

RawFrame ws_read_frame(int fd, std::chrono::milliseconds timeout) {
    RawFrame r;
    std::string h = raw_recv_exactly(fd, 2, timeout);
    if (h.size() < 2) return r;
    uint64_t n = uint8_t(h[1]) & 0x7f;
    if (n == 126 || n == 127) {
        std::string ext = raw_recv_exactly(fd, n == 126 ? 2 : 8, timeout);
        if (ext.size() != (n == 126 ? 2u : 8u)) return r;
        n = 0;
        for (char c : ext) n = (n << 8) | uint8_t(c);
    }
    r.payload = raw_recv_exactly(fd, n, timeout);
    if (r.payload.size() != n) return RawFrame{};
    r.fin = (uint8_t(h[0]) & 0x80) != 0;
    r.opcode = uint8_t(h[0]) & 0x0f;
    return r;
}

int ws_read_close_code(int fd, std::chrono::milliseconds timeout) {
    for (;;) {
        RawFrame f = ws_read_frame(fd, timeout);
        if (f.opcode < 0) return 0;
        if (f.opcode != 8) continue;
        if (f.payload.size() < 2) return 1005;
        return (uint8_t(f.payload[0]) << 8) | uint8_t(f.payload[1]);
    }
}

bool ws_raw_closed(int fd, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, int(left.count())) <= 0) return false;
        char buf[65536];
        ssize_t got = recv(fd, buf, sizeof buf, 0);
        if (got <= 0) return true;
    }
}

corio::Coro<void> ws_echo(corio::ws::Connection& c) {
    while (auto m = co_await c.recv()) {
        if (m->is_text()) {
            co_await c.send(m->text());
        } else {
            co_await c.send_binary(m->data());
        }
    }
}

}  // namespace corio_test
