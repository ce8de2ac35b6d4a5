// WsCore: the state behind a ws::Connection. wslay parses and serialises frames; corio owns the
// socket, the buffers, the timers and the flow control. Internal to src/ws.
//
// Invariants:
// - wslay's send queue is empty between calls: every queue_msg/queue_close is followed by
//   wslay_event_send, whose callback accepts everything into out_, and out_ is handed to the
//   stream at once (flush). So a close never jumps the data queued before it (wslay would send
//   it first and drop the data), and out_ only ever holds whole frames. Data frames bypass
//   wslay's queue (send() frames them itself), which is safe for the same reason.
// - in_[in_pos_..] are bytes read from the socket (or left over from the handshake) that wslay
//   has not taken yet; the recv callback serves only these and never touches the socket.
// - The reader task (not held by anyone but the loop) is the only one that reads the stream; at
// most one task drains it
//   (draining_), the others wait on drained_.
// - done_ is set once, by finish(): the socket is closed or closing, timers are off, waiters
//   are woken.
#pragma once

#include <wslay/wslay.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "corio/event.hpp"
#include "corio/loop.hpp"
#include "corio/task.hpp"
#include "corio/timer_handle.hpp"
#include "corio/ws/connection.hpp"
#include "fast_frame.hpp"

namespace corio::ws::detail {

class WsCore : public std::enable_shared_from_this<WsCore> {
public:
    WsCore(Stream stream, std::string leftover, Role role, ConnectionOptions options,
           std::string path, std::string subprotocol);
    ~WsCore();
    WsCore(const WsCore&) = delete;
    WsCore& operator=(const WsCore&) = delete;

    // Starts the reader task and the keepalive timer; call once, right after construction.
    void start();
    // Drops the connection at once (no closing handshake): what destroying a Connection does.
    void abort() noexcept;

    Coro<std::optional<Message>> recv();
    Coro<void> send(uint8_t opcode, std::string_view payload);
    Coro<void> close(uint16_t code, std::string_view reason);
    Coro<void> wait_closed();

    bool is_open() const noexcept { return !done_ && !close_started_ && !close_received_; }
    std::optional<uint16_t> close_code() const noexcept;

    const std::string path_;
    const std::string subprotocol_;
    std::string remote_;
    std::string close_reason_;
    uint64_t messages_in_ = 0;
    uint64_t messages_out_ = 0;

private:
    static ssize_t on_recv(wslay_event_context_ptr, uint8_t* buf, size_t len, int, void* ud);
    static ssize_t on_send(wslay_event_context_ptr, const uint8_t* data, size_t len, int, void* ud);
    static int on_genmask(wslay_event_context_ptr, uint8_t* buf, size_t len, void* ud);
    static void on_frame_start(wslay_event_context_ptr,
                               const wslay_event_on_frame_recv_start_arg* arg, void* ud);
    static void on_message(wslay_event_context_ptr, const wslay_event_on_msg_recv_arg* arg,
                           void* ud);
    static void on_chunk(wslay_event_context_ptr, const wslay_event_on_frame_recv_chunk_arg* arg,
                         void* ud);

    // wslay's context, made on first need. Its two 4 KiB buffers would be most of an idle
    // connection's memory, and whole data frames never reach it (fast_frame.hpp), so it exists
    // only while wslay has work: release_idle_wslay() lets it go once it holds nothing (no
    // partial frame or message, no close on either side, nothing queued).
    wslay_event_context_ptr wslay();
    void release_idle_wslay() noexcept;

    Coro<void> read_loop(std::shared_ptr<WsCore> self);
    // Hands in_ to wslay, sends what that queued (pongs, close replies), and decides what the
    // connection does next.
    void process();
    // Takes the whole frames at the front of in_ that need no wslay (fast_frame.hpp). Returns
    // false while such a frame is still arriving: wslay must not see its first part.
    bool take_fast_frames();
    FastFrame next_frame(FrameHead& head) const;
    void flush() noexcept;
    // Frames a whole text or binary message (masked for a client) and writes it: wslay would
    // copy the payload into its queue and again into out_.
    void write_frame(uint8_t opcode, std::string_view payload);
    // This end fails the connection: a close frame with code goes out (unless one already
    // did), then the write side is shut and input is discarded until the peer's end of stream
    // or close_timeout.
    void fail(uint16_t code, std::string_view reason);
    void arm_close_timer();
    void arm_ping_timer();
    void on_ping_timer();
    void enter_discard();
    // Whether input is over: recv() returns what is queued, then nullopt.
    bool input_done() const noexcept { return done_ || close_received_ || discard_; }
    void finish(bool graceful) noexcept;
    Coro<void> wait_output();
    // Reading pauses while this holds. After our close nothing more is queued (data is only
    // read to reach the peer's close frame), so unread messages must not hold that up.
    bool inbox_full() const noexcept {
        return !discard_ && !local_close_ && inbox_.size() - inbox_head_ >= options_.max_queue;
    }
    bool output_full() const;

    Loop* loop_;
    Stream stream_;
    const Role role_;
    const ConnectionOptions options_;
    wslay_event_context_ptr ctx_ = nullptr;  // see wslay()

    std::string in_;
    size_t in_pos_ = 0;
    std::string out_;
    // The data message being received. wslay runs without buffering (it would copy each
    // payload twice more and malloc per frame): its chunks land here, and on_message moves
    // this string into inbox_. Control frames are still buffered by wslay.
    std::string msg_;
    // Received messages not yet taken by recv(): inbox_[inbox_head_..]. A vector, as a deque
    // allocates ~600 bytes even when empty, on every idle connection.
    std::vector<Message> inbox_;
    size_t inbox_head_ = 0;

    Event inbox_ready_;  // set when inbox_ has a message or input ended
    Event room_;         // set when recv() made room in inbox_
    Event drained_;      // set when a drain finished
    Event closed_;       // set by finish()
    TimerHandle ping_timer_;
    TimerHandle close_timer_;

    size_t fragments_ = 0;     // frames of the message being received
    bool data_frame_ = false;  // the frame being received belongs to msg_ (not a control frame)
    // wslay is given one frame at a time, so that between frames its buffer is empty and the
    // next frame can bypass it. fed_ bytes of the current frame went to wslay, frame_size_ is
    // the frame's size once its header tells (0 before); both 0: wslay holds nothing. head_
    // keeps the first bytes fed, to read the size from.
    uint64_t fed_ = 0;
    uint64_t frame_size_ = 0;
    uint8_t head_[14] = {};
    bool in_message_ = false;  // wslay holds the first fragments of a data message
    bool slow_next_ = false;   // the next frame goes to wslay (its UTF-8 is bad: 1007 is wslay's)
    uint32_t ping_seq_ = 0;    // payload of our last keepalive ping
    bool awaiting_pong_ = false;
    bool eof_ = false;            // the socket reached end of stream
    bool recv_failed_ = false;    // our recv callback reported eof_ to wslay
    bool discard_ = false;        // input is no longer parsed (we failed the connection)
    bool local_close_ = false;    // close() queued our close frame
    bool close_started_ = false;  // a close frame went out (ours or wslay's)
    bool close_received_ = false;
    bool draining_ = false;
    bool close_timer_armed_ = false;
    bool fail_pending_ = false;  // a callback queued a close that fails the connection
    bool done_ = false;
    uint16_t failed_code_ = 0;  // the code this end failed the connection with
    uint16_t received_code_ = 0;
};

}  // namespace corio::ws::detail
