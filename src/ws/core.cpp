// WsCore's wslay side: the context, its callbacks, and process(), which feeds wslay the bytes
// read and decides what follows (a message, a close, a failure). The workarounds for wslay 1.1.1
// on hostile input (../shared/notes/llhttp-wslay.md D.2, D.3) live here.
#include "core.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace corio::ws::detail {

namespace {

// A close frame with code 1002, written by us when wslay would send an empty one. A client's
// frames must be masked: a zero key leaves the payload as it is.
constexpr std::string_view kServerClose1002("\x88\x02\x03\xEA", 4);
constexpr std::string_view kClientClose1002("\x88\x82\x00\x00\x00\x00\x03\xEA", 8);

}  // namespace

WsCore::WsCore(Stream stream, std::string leftover, Role role, ConnectionOptions options,
               std::string path, std::string subprotocol)
    : path_(std::move(path)),
      subprotocol_(std::move(subprotocol)),
      loop_(&Loop::current()),
      stream_(std::move(stream)),
      role_(role),
      options_(options),
      in_(std::move(leftover)) {
    remote_ = stream_.peer();
    size_t high = options_.write_high ? options_.write_high : 1;
    stream_.set_write_buffer_limits(high, high / 4);
}

wslay_event_context_ptr WsCore::wslay() {
    if (ctx_) return ctx_;
    wslay_event_callbacks callbacks{};
    callbacks.recv_callback = &WsCore::on_recv;
    callbacks.send_callback = &WsCore::on_send;
    callbacks.on_frame_recv_start_callback = &WsCore::on_frame_start;
    callbacks.on_msg_recv_callback = &WsCore::on_message;
    callbacks.on_frame_recv_chunk_callback = &WsCore::on_chunk;
    int rv;
    if (role_ == Role::Server) {
        rv = wslay_event_context_server_init(&ctx_, &callbacks, this);
    } else {
        callbacks.genmask_callback = &WsCore::on_genmask;
        rv = wslay_event_context_client_init(&ctx_, &callbacks, this);
    }
    if (rv != 0) throw std::bad_alloc();
    // wslay checks this against each frame header, so a length lie is caught before the
    // payload is buffered (1009).
    wslay_event_config_set_max_recv_msg_length(ctx_, options_.max_message_size);
    // Data payloads go to msg_ through on_chunk (see msg_). wslay still checks UTF-8 and each
    // frame's length; the sum over fragments is checked in on_frame_start.
    wslay_event_config_set_no_buffering(ctx_, 1);
    return ctx_;
}

void WsCore::release_idle_wslay() noexcept {
    // !is_open() covers our close and the discard that follows a failure (both start a close).
    if (!ctx_ || fed_ || frame_size_ || in_message_ || !is_open() || fail_pending_ || recv_failed_)
        return;
    if (wslay_event_get_close_sent(ctx_) || wslay_event_get_close_received(ctx_) ||
        wslay_event_want_write(ctx_))
        return;
    wslay_event_context_free(ctx_);
    ctx_ = nullptr;
}

WsCore::~WsCore() {
    ping_timer_.cancel();
    close_timer_.cancel();
    if (ctx_) wslay_event_context_free(ctx_);
}

ssize_t WsCore::on_recv(wslay_event_context_ptr ctx, uint8_t* buf, size_t len, int, void* ud) {
    auto* self = static_cast<WsCore*>(ud);
    // wslay asks for more after taking all of a frame: it holds nothing now.
    if (self->frame_size_ && self->fed_ >= self->frame_size_) self->fed_ = self->frame_size_ = 0;
    // Stop taking input while the output is over its mark or the inbox is full (a ping flood
    // must not grow the pong queue), or once a callback decided to fail the connection.
    if (self->fail_pending_ || self->output_full() || self->inbox_full()) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    size_t avail = self->in_.size() - self->in_pos_;
    if (avail > 0) {
        const auto* src = reinterpret_cast<const uint8_t*>(self->in_.data() + self->in_pos_);
        if (self->fed_ == 0) {
            FrameHead head;
            FastFrame f = self->next_frame(head);
            if (f == FastFrame::Ready || (f == FastFrame::Wait && !self->eof_)) {
                wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);  // process() takes it
                return -1;
            }
            self->slow_next_ = false;
        }
        if (!self->frame_size_) {
            uint8_t peek[sizeof head_];
            size_t have = self->fed_ < sizeof peek ? size_t(self->fed_) : sizeof peek;
            std::memcpy(peek, self->head_, have);
            size_t more = std::min(avail, sizeof peek - have);
            std::memcpy(peek + have, src, more);
            self->frame_size_ = frame_size(peek, have + more);
        }
        size_t n = std::min(avail, len);
        if (self->frame_size_ && self->frame_size_ - self->fed_ < n)
            n = size_t(self->frame_size_ - self->fed_);
        if (self->fed_ < sizeof head_)
            std::memcpy(self->head_ + self->fed_, src,
                        std::min(n, size_t(sizeof head_ - self->fed_)));
        std::memcpy(buf, src, n);
        self->in_pos_ += n;
        self->fed_ += n;
        return static_cast<ssize_t>(n);
    }
    if (self->eof_) {
        // End of stream must be an error: returning 0 makes wslay lose it (want_read stays 1).
        self->recv_failed_ = true;
        wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
        return -1;
    }
    wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
    return -1;
}

FastFrame WsCore::next_frame(FrameHead& head) const {
    if (slow_next_ || in_message_ || local_close_ || fail_pending_ || discard_ || done_)
        return FastFrame::Slow;
    return classify_frame(reinterpret_cast<const uint8_t*>(in_.data() + in_pos_),
                          in_.size() - in_pos_, role_ == Role::Server, options_.max_message_size,
                          head);
}

bool WsCore::take_fast_frames() {
    while (fed_ == 0 && !output_full() && !inbox_full()) {
        FrameHead head;
        FastFrame f = next_frame(head);
        if (f == FastFrame::Slow) return true;
        if (f == FastFrame::Wait) return eof_;  // at the end of stream wslay reports the cut
        const auto* p = reinterpret_cast<const uint8_t*>(in_.data() + in_pos_);
        std::string payload;
        if (!take_payload(p, head, payload)) {
            slow_next_ = true;
            return true;
        }
        in_pos_ += head.header_size + size_t(head.payload_size);
        inbox_.emplace_back(
            head.opcode == WSLAY_TEXT_FRAME ? Message::Kind::Text : Message::Kind::Binary,
            std::move(payload));
        ++messages_in_;
        inbox_ready_.set();
    }
    return true;
}

// Accepts everything: frames go to out_ and reach the socket in one write per batch (wslay
// calls this twice per frame, header then payload).
ssize_t WsCore::on_send(wslay_event_context_ptr, const uint8_t* data, size_t len, int, void* ud) {
    static_cast<WsCore*>(ud)->out_.append(reinterpret_cast<const char*>(data), len);
    return static_cast<ssize_t>(len);
}

int WsCore::on_genmask(wslay_event_context_ptr, uint8_t* buf, size_t len, void*) {
    arc4random_buf(buf, len);
    return 0;
}

void WsCore::on_frame_start(wslay_event_context_ptr ctx,
                            const wslay_event_on_frame_recv_start_arg* arg, void* ud) {
    auto* self = static_cast<WsCore*>(ud);
    self->data_frame_ = false;
    switch (arg->opcode) {
        case WSLAY_CONNECTION_CLOSE:
            // wslay takes a 1-byte close payload for "no status" and would answer with an
            // empty close; queueing ours first makes its reply fail and the 1002 go out.
            if (arg->payload_length == 1) {
                static constexpr char kWhy[] = "close frame of 1 byte";
                wslay_event_queue_close(ctx, 1002, reinterpret_cast<const uint8_t*>(kWhy),
                                        sizeof kWhy - 1);
                if (!self->failed_code_) self->failed_code_ = 1002;
            }
            break;
        case WSLAY_TEXT_FRAME:
        case WSLAY_BINARY_FRAME:
            self->fragments_ = 1;
            self->data_frame_ = true;
            self->in_message_ = !arg->fin;
            self->msg_.clear();
            // wslay checked the length against max_message_size already.
            if (!self->local_close_ && !self->fail_pending_)
                self->msg_.reserve(arg->payload_length);
            return;
        case WSLAY_CONTINUATION_FRAME:
            self->data_frame_ = true;
            // Without buffering wslay checks each frame alone; a message is the sum (1009
            // with no reason, as wslay's own check says it).
            if (!self->fail_pending_ &&
                self->msg_.size() + arg->payload_length > self->options_.max_message_size) {
                wslay_event_queue_close(ctx, 1009, nullptr, 0);
                if (!self->failed_code_) self->failed_code_ = 1009;
                self->fail_pending_ = true;
                return;
            }
            // Each fragment costs wslay a buffer (about 96 bytes even for one byte of data).
            if (++self->fragments_ > self->options_.max_fragments && !self->fail_pending_) {
                static constexpr char kWhy[] = "too many fragments";
                wslay_event_queue_close(ctx, 1009, reinterpret_cast<const uint8_t*>(kWhy),
                                        sizeof kWhy - 1);
                if (!self->failed_code_) self->failed_code_ = 1009;
                self->fail_pending_ = true;
            }
            break;
        default:
            break;
    }
}

void WsCore::on_message(wslay_event_context_ptr, const wslay_event_on_msg_recv_arg* arg, void* ud) {
    auto* self = static_cast<WsCore*>(ud);
    const char* p = reinterpret_cast<const char*>(arg->msg);
    switch (arg->opcode) {
        case WSLAY_TEXT_FRAME:
        case WSLAY_BINARY_FRAME:
            self->in_message_ = false;
            // After our close, data is read only to reach the peer's close frame.
            if (self->local_close_ || self->fail_pending_) return;
            self->inbox_.emplace_back(
                arg->opcode == WSLAY_TEXT_FRAME ? Message::Kind::Text : Message::Kind::Binary,
                std::move(self->msg_));
            self->msg_.clear();
            ++self->messages_in_;
            self->inbox_ready_.set();
            return;
        case WSLAY_PONG:
            if (self->awaiting_pong_ && arg->msg_length == 4) {
                uint32_t seq = (uint32_t(uint8_t(p[0])) << 24) | (uint32_t(uint8_t(p[1])) << 16) |
                               (uint32_t(uint8_t(p[2])) << 8) | uint32_t(uint8_t(p[3]));
                if (seq == self->ping_seq_) {
                    self->awaiting_pong_ = false;
                    self->ping_timer_.cancel();
                    self->arm_ping_timer();
                }
            }
            return;
        case WSLAY_CONNECTION_CLOSE:
            self->close_received_ = true;
            self->received_code_ = arg->status_code;
            if (arg->msg_length > 2) self->close_reason_.assign(p + 2, arg->msg_length - 2);
            self->inbox_ready_.set();
            return;
        default:
            return;
    }
}

void WsCore::on_chunk(wslay_event_context_ptr, const wslay_event_on_frame_recv_chunk_arg* arg,
                      void* ud) {
    auto* self = static_cast<WsCore*>(ud);
    // After our close or a failure, data is read only to reach the peer's close frame.
    if (!self->data_frame_ || self->local_close_ || self->fail_pending_) return;
    self->msg_.append(reinterpret_cast<const char*>(arg->data), arg->data_length);
}

void WsCore::process() {
    if (done_ || discard_) return;
    if (!take_fast_frames()) return;
    // Nothing for wslay to read: it would only report that it has nothing.
    if (in_pos_ == in_.size() && !eof_) return;
    int rv = wslay_event_recv(wslay());
    if (rv != 0 && !recv_failed_) {
        // A frame-layer error (fragmented or oversized control frame, a 64-bit length with
        // the top bit set, a non-minimal length): wslay would answer with an empty close.
        // out_ holds only whole frames, so our own 1002 can follow them.
        if (!close_started_)
            out_.append(role_ == Role::Server ? kServerClose1002 : kClientClose1002);
        flush();
        if (!failed_code_) failed_code_ = 1002;
        enter_discard();
        return;
    }
    if (rv == 0) wslay_event_send(ctx_);  // pongs, close replies, closes wslay decided on
    flush();
    if (close_received_) {
        // RFC 6455 7.1.1: the server closes TCP first; a client waits for that.
        if (role_ == Role::Server) {
            finish(true);
        } else {
            enter_discard();
        }
        return;
    }
    if (recv_failed_) {  // end of stream without a close frame: 1006
        finish(true);
        return;
    }
    if (fail_pending_ || (wslay_event_get_close_sent(ctx_) && !local_close_)) {
        // wslay (1002, 1007, 1009) or a callback of ours failed the connection.
        if (!failed_code_) failed_code_ = wslay_event_get_status_code_sent(ctx_);
        enter_discard();
        return;
    }
    release_idle_wslay();
}

void WsCore::flush() noexcept {
    if (out_.empty()) return;
    try {
        stream_.write(out_);
    } catch (const std::exception&) {
        // The connection is gone; the reader sees it too and finishes.
    }
    out_.clear();
}

void WsCore::enter_discard() {
    discard_ = true;
    close_started_ = true;
    in_.clear();
    in_pos_ = 0;
    try {
        stream_.write_eof();
    } catch (const std::exception&) {
    }
    arm_close_timer();
    inbox_ready_.set();
}

void WsCore::arm_close_timer() {
    if (close_timer_armed_ || done_) return;
    close_timer_armed_ = true;
    close_timer_ = loop_->call_later(options_.close_timeout, [this] { finish(false); });
}

void WsCore::finish(bool graceful) noexcept {
    if (done_) return;
    done_ = true;
    ping_timer_.cancel();
    close_timer_.cancel();
    if (stream_) {
        if (graceful) {
            stream_.close();
        } else {
            stream_.abort();
        }
    }
    if (ctx_) {
        wslay_event_context_free(ctx_);
        ctx_ = nullptr;
    }
    inbox_ready_.set();
    room_.set();
    drained_.set();
    closed_.set();
}

std::optional<uint16_t> WsCore::close_code() const noexcept {
    if (failed_code_ && (done_ || discard_)) return failed_code_;
    if (close_received_) return received_code_ ? received_code_ : uint16_t(1005);
    if (done_) return uint16_t(1006);
    return std::nullopt;
}

}  // namespace corio::ws::detail
