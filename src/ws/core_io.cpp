// WsCore's coroutine side: the reader task, recv/send/close for the application, the
// single-drainer rule for the stream, and the keepalive and close timers.
#include <array>
#include <cstdlib>
#include <cstring>

#include "core.hpp"

namespace corio::ws::detail {

namespace {

// One read asks for this much; wslay then parses it all in one wslay_event_recv.
constexpr size_t kReadMax = 64 * 1024;

bool valid_close_code(uint16_t code) {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
           (code >= 3000 && code <= 4999);
}

}  // namespace

void WsCore::start() {
    loop_->create_task(read_loop(shared_from_this()));
    arm_ping_timer();
}

void WsCore::abort() noexcept { finish(false); }

bool WsCore::output_full() const {
    return !done_ && stream_.write_buffer_size() > options_.write_high;
}

Coro<void> WsCore::read_loop(std::shared_ptr<WsCore> self) {
    (void)self;  // keeps the core alive while the task runs
    try {
        while (!done_) {
            if (output_full()) {
                co_await wait_output();
                continue;
            }
            if (inbox_full()) {
                room_.clear();
                co_await room_.wait();
                continue;
            }
            // Bytes left over from the handshake, or held back while output was full.
            if (!discard_ && in_pos_ < in_.size()) {
                size_t before = in_pos_;
                process();
                if (in_pos_ != before || done_) continue;
            }
            std::string chunk = co_await stream_.read(kReadMax);
            if (done_) break;
            if (chunk.empty()) eof_ = true;
            if (discard_) {
                if (eof_) finish(true);
                continue;
            }
            if (in_pos_ == in_.size()) {
                in_ = std::move(chunk);
            } else {
                in_.erase(0, in_pos_);
                in_.append(chunk);
            }
            in_pos_ = 0;
            process();
        }
    } catch (const CancelledError&) {
        finish(false);
        throw;
    } catch (const std::exception&) {
        finish(false);  // reset, or a read on an aborted stream
    }
}

Coro<void> WsCore::wait_output() {
    if (draining_) {
        drained_.clear();
        co_await drained_.wait();
        co_return;
    }
    draining_ = true;
    try {
        co_await stream_.drain();
    } catch (...) {
        draining_ = false;
        drained_.set();
        throw;
    }
    draining_ = false;
    drained_.set();
}

Coro<std::optional<Message>> WsCore::recv() {
    for (;;) {
        if (inbox_head_ < inbox_.size()) {
            std::optional<Message> m(std::move(inbox_[inbox_head_++]));
            if (inbox_head_ == inbox_.size()) {
                inbox_.clear();
                inbox_head_ = 0;
            } else if (inbox_head_ >= 16 && inbox_head_ * 2 >= inbox_.size()) {
                // Keeps the vector bounded by about twice max_queue while never emptied.
                inbox_.erase(inbox_.begin(), inbox_.begin() + std::ptrdiff_t(inbox_head_));
                inbox_head_ = 0;
            }
            room_.set();
            co_return m;
        }
        if (input_done()) co_return std::nullopt;
        inbox_ready_.clear();
        co_await inbox_ready_.wait();
    }
}

void WsCore::write_frame(uint8_t opcode, std::string_view payload) {
    // One buffer per thread for header and payload, so a message is one write and costs no
    // allocation; the stream copies only what the socket does not take at once.
    thread_local std::string frame;
    frame.clear();
    const size_t n = payload.size();
    const bool mask = role_ == Role::Client;
    char head[14];
    size_t h = 0;
    head[h++] = char(0x80 | opcode);
    const char mask_bit = mask ? char(0x80) : char(0);
    if (n < 126) {
        head[h++] = char(mask_bit | char(n));
    } else if (n <= 0xFFFF) {
        head[h++] = char(mask_bit | 126);
        head[h++] = char(n >> 8);
        head[h++] = char(n);
    } else {
        head[h++] = char(mask_bit | 127);
        for (int shift = 56; shift >= 0; shift -= 8) head[h++] = char(uint64_t(n) >> shift);
    }
    uint8_t key[4];
    if (mask) {
        arc4random_buf(key, sizeof key);
        std::memcpy(head + h, key, sizeof key);
        h += sizeof key;
    }
    frame.reserve(h + n);
    frame.append(head, h);
    frame.append(payload);
    if (mask) {
        char* p = frame.data() + h;
        for (size_t i = 0; i < n; ++i) p[i] = char(p[i] ^ key[i & 3]);
    }
    try {
        stream_.write(frame);
    } catch (const std::exception&) {
        // The connection is gone; the reader sees it too and finishes (as flush()).
    }
    // A huge message must not pin its size in every thread's buffer.
    if (frame.capacity() > kReadMax) std::string().swap(frame);
}

Coro<void> WsCore::send(uint8_t opcode, std::string_view payload) {
    if (!is_open()) throw ConnectionClosed(close_code().value_or(1000), close_reason_);
    if (ctx_ && !wslay_event_get_write_enabled(ctx_))
        throw ConnectionClosed(close_code().value_or(1000), close_reason_);
    write_frame(opcode, payload);
    ++messages_out_;
    bool lost = false;
    try {
        while (output_full()) co_await wait_output();
    } catch (const ConnectionError&) {
        lost = true;  // reset while we waited: the reader sees it too
    }
    if (lost) {
        finish(false);
        throw ConnectionClosed(close_code().value_or(1006), close_reason_);
    }
}

Coro<void> WsCore::close(uint16_t code, std::string_view reason) {
    if (!valid_close_code(code)) throw WebSocketError("invalid close code " + std::to_string(code));
    if (is_open()) {
        local_close_ = true;
        close_started_ = true;
        if (reason.size() > 123) reason = reason.substr(0, 123);  // a control frame's limit
        wslay_event_queue_close(wslay(), code, reinterpret_cast<const uint8_t*>(reason.data()),
                                reason.size());
        wslay_event_send(ctx_);
        flush();
        arm_close_timer();
        inbox_ready_.set();
        room_.set();  // a reader paused on a full inbox reads on, to the peer's close
    }
    co_await wait_closed();
}

Coro<void> WsCore::wait_closed() {
    while (!done_) {
        closed_.clear();
        co_await closed_.wait();
    }
}

void WsCore::arm_ping_timer() {
    if (options_.ping_interval.count() <= 0 || done_) return;
    ping_timer_ = loop_->call_later(options_.ping_interval, [this] { on_ping_timer(); });
}

void WsCore::on_ping_timer() {
    if (done_) return;
    if (awaiting_pong_) {
        // No pong within ping_timeout: the peer is gone or stuck. Say why, then drop it
        // without waiting for a closing handshake it cannot do.
        if (!close_started_ && !close_received_) {
            static constexpr char kWhy[] = "keepalive ping timeout";
            wslay_event_queue_close(wslay(), 1011, reinterpret_cast<const uint8_t*>(kWhy),
                                    sizeof kWhy - 1);
            wslay_event_send(ctx_);
            flush();
        }
        if (!failed_code_) failed_code_ = 1011;
        finish(true);
        return;
    }
    if (!is_open()) return;
    ++ping_seq_;
    std::array<uint8_t, 4> payload{uint8_t(ping_seq_ >> 24), uint8_t(ping_seq_ >> 16),
                                   uint8_t(ping_seq_ >> 8), uint8_t(ping_seq_)};
    wslay_event_msg msg{WSLAY_PING, payload.data(), payload.size()};
    if (wslay_event_queue_msg(wslay(), &msg) != 0) return;
    wslay_event_send(ctx_);
    flush();
    release_idle_wslay();
    awaiting_pong_ = true;
    ping_timer_ = loop_->call_later(options_.ping_timeout, [this] { on_ping_timer(); });
}

}  // namespace corio::ws::detail
