// The life of one http::serve connection: read big chunks, parse every request they hold (in
// order, in place), answer each into one buffer, write that buffer once per batch, then wait for
// more under the timeout that fits where the client is (idle, in headers, in a body).
//
// Invariants: in_[pos_..] holds the bytes the parser has not consumed yet, and is empty whenever
// the connection reads (llhttp consumes whole reads: what it keeps, it copies); out_ holds answers
// not yet written, always whole ones and in request order; header_deadline_ is set while a
// request's headers (or a new connection's first request) are awaited, and cleared once they
// complete.
#include "http/server_connection.hpp"

#include <cassert>
#include <cstdio>
#include <utility>

#include "corio/detail/loop_access.hpp"
#include "corio/error.hpp"
#include "corio/loop.hpp"
#include "corio/timeout.hpp"
#include "http/server_write.hpp"

namespace corio::http::detail {

namespace {

using namespace std::chrono_literals;

// What one read asks for: the Stream receives up to 256 KiB at once anyway.
constexpr size_t kReadChunk = 256 * 1024;
// A body above this is written on its own instead of being copied behind its head.
constexpr size_t kCopyBodyMax = 16 * 1024;
// out_ and in_ keep their storage between batches up to this size, so an idle connection holds
// no big buffer after a big request or answer.
constexpr size_t kKeepBuffer = 64 * 1024;
// After an answer that ends the connection, unread request bytes are drained for this long (or
// this many bytes) before closing: closing with unread data sends a reset that can destroy the
// answer in flight (nginx's lingering close).
constexpr auto kLingerTime = 2s;
constexpr size_t kLingerBytes = 1024 * 1024;

void clear_buffer(std::string& b) {
    if (b.capacity() > kKeepBuffer) {
        std::string().swap(b);
    } else {
        b.clear();
    }
}

Coro<void> discard_input(Stream& stream) {
    size_t total = 0;
    for (;;) {
        std::string chunk = co_await stream.read(kReadChunk);
        total += chunk.size();
        if (chunk.empty() || total > kLingerBytes) co_return;
    }
}

class Connection {
public:
    Connection(Stream stream, std::shared_ptr<const ServerConfig> config)
        : stream_(std::move(stream)),
          config_(std::move(config)),
          opt_(config_->options),
          parser_(Parser::Kind::Request, config_->limits) {
        request_.peer = stream_.peer();
    }

    Coro<void> run();

private:
    enum class Next { Continue, End };

    Coro<Next> answer(bool upgrade);
    Coro<Response> call_handler();
    Coro<Next> take_over(Response& r);
    Coro<bool> read_more();
    Coro<void> flush();
    Coro<void> drain();
    Coro<void> end_with(int status);
    Coro<void> linger_close();
    void send_continue_if_expected();
    void report(const char* what);

    Stream stream_;
    std::shared_ptr<const ServerConfig> config_;
    const ServerOptions& opt_;
    Parser parser_;
    Request request_;
    std::string in_;
    size_t pos_ = 0;
    std::string out_;
    std::optional<Loop::time_point> header_deadline_;
    bool continue_sent_ = false;
};

Coro<void> Connection::run() {
    header_deadline_ = Loop::current().time() + opt_.header_timeout;
    for (;;) {
        while (pos_ < in_.size()) {
            auto r = parser_.feed(in_.data() + pos_, in_.size() - pos_);
            pos_ += r.consumed;
            if (r.status == Parser::Status::NeedMore) break;
            if (r.status == Parser::Status::Error) {
                co_await end_with(parser_.error_status());
                co_return;
            }
            Next next = co_await answer(r.status == Parser::Status::Upgrade);
            if (next == Next::End) co_return;
        }
        if (pos_ == in_.size()) {
            clear_buffer(in_);
            pos_ = 0;
        }
        if (!out_.empty()) co_await flush();
        send_continue_if_expected();
        if (!co_await read_more()) co_return;
    }
}

Coro<Connection::Next> Connection::answer(bool upgrade) {
    request_.method.assign(parser_.method());
    std::swap(request_.target, parser_.target());
    std::swap(request_.headers, parser_.headers());
    std::swap(request_.body, parser_.body());
    request_.version_major = parser_.version_major();
    request_.version_minor = parser_.version_minor();
    header_deadline_.reset();
    continue_sent_ = false;

    Response r = co_await call_handler();
    if (r.status == 101) {
        if (r.takeover) co_return co_await take_over(r);
        report("a 101 answer without a takeover");
        r = error_response(500);
    }
    if (upgrade) parser_.resume_after_upgrade();
    bool head = request_.method == "HEAD";
    bool close = !parser_.keep_alive() || response_closes(r);
    bool http10 = request_.version_major == 1 && request_.version_minor == 0;
    append_head(out_, r, {.head_request = head, .close = close, .keep_alive = !close && http10});
    if (!head && status_has_body(r.status)) {
        if (r.body.size() <= kCopyBodyMax) {
            out_.append(r.body);
        } else {
            co_await flush();
            stream_.write(r.body);
            co_await drain();
        }
    }
    if (!close) co_return Next::Continue;
    co_await flush();
    co_await linger_close();
    co_return Next::End;
}

Coro<Response> Connection::call_handler() {
    try {
        co_return co_await config_->handler(request_);
    } catch (const CancelledError&) {
        throw;
    } catch (const std::exception& e) {
        report(e.what());
    } catch (...) {
        report("an exception not derived from std::exception");
    }
    co_return error_response(500);
}

void Connection::report(const char* what) {
    std::string message = "http: the handler failed on " + request_.method + " " + request_.target +
                          " from " + request_.peer + ": " + what;
    corio::detail::LoopAccess::report(Loop::running(), message);
}

// The 101 goes out first; the bytes behind the request belong to the new protocol.
Coro<Connection::Next> Connection::take_over(Response& r) {
    append_head(out_, r, {});
    co_await flush();
    std::string leftover = in_.substr(pos_);
    pos_ = 0;
    Takeover takeover = std::move(r.takeover);
    // The new protocol keeps the connection for as long as it lives: what HTTP held for a next
    // request is freed now, so an idle WebSocket carries none of it (about 1.5 KiB). The request
    // stays as it was, only without spare room (a takeover may still read the handler's req):
    // its header vector was reserved for 16 fields.
    std::string().swap(in_);
    std::string().swap(out_);
    Headers exact = request_.headers;
    request_.headers = std::move(exact);
    request_.body.shrink_to_fit();
    r = Response{};
    co_await takeover(std::move(stream_), std::move(leftover));
    co_return Next::End;
}

void Connection::send_continue_if_expected() {
    if (continue_sent_ || !parser_.in_message() || !parser_.headers_complete()) return;
    if (parser_.version_major() != 1 || parser_.version_minor() < 1) return;
    if (!parser_.chunked() && parser_.content_length().value_or(0) == 0) return;
    auto expect = parser_.headers().get("Expect");
    if (!expect || !iequals(*expect, "100-continue")) return;
    continue_sent_ = true;
    stream_.write("HTTP/1.1 100 Continue\r\n\r\n");
}

// Waits for more bytes under the timeout that applies now; false when the connection is over
// (end of stream, or a timeout, answered with 408 when a request was under way).
Coro<bool> Connection::read_more() {
    assert(pos_ == in_.size());
    Loop::time_point now = Loop::current().time();
    std::chrono::nanoseconds wait;
    bool answer_timeout = parser_.in_message();
    if (parser_.in_message() && parser_.headers_complete()) {
        wait = opt_.body_timeout;
    } else if (parser_.in_message() || header_deadline_) {
        if (!header_deadline_) header_deadline_ = now + opt_.header_timeout;
        wait = *header_deadline_ - now;
    } else {
        wait = opt_.keep_alive_timeout;
    }
    std::string chunk;
    bool timed_out = wait <= 0ns;
    if (!timed_out) {
        try {
            chunk = co_await wait_for(stream_.read(kReadChunk), wait);
        } catch (const TimeoutError&) {
            timed_out = true;
        }
    }
    if (timed_out) {
        if (answer_timeout) {
            co_await end_with(408);
        } else {
            stream_.close();
        }
        co_return false;
    }
    if (chunk.empty()) {
        stream_.close();
        co_return false;
    }
    // The parser copies what it keeps, so every byte before was consumed: no copy here.
    in_ = std::move(chunk);
    pos_ = 0;
    co_return true;
}

Coro<void> Connection::flush() {
    stream_.write(out_);
    clear_buffer(out_);
    co_await drain();
}

// A client that stops reading cannot hold the connection (and its buffers) for ever.
Coro<void> Connection::drain() {
    try {
        co_await wait_for(stream_.drain(), opt_.send_timeout);
    } catch (const TimeoutError&) {
        stream_.abort();
        throw ConnectionError("http: client read nothing for send_timeout");
    }
}

Coro<void> Connection::end_with(int status) {
    Response r = error_response(status);
    append_head(out_, r, {.close = true});
    out_.append(r.body);
    co_await flush();
    co_await linger_close();
}

Coro<void> Connection::linger_close() {
    stream_.write_eof();
    try {
        co_await wait_for(discard_input(stream_), kLingerTime);
    } catch (const TimeoutError&) {
    }
    stream_.close();
}

}  // namespace

Coro<void> serve_connection(Stream stream, std::shared_ptr<const ServerConfig> config) {
    Connection connection(std::move(stream), std::move(config));
    try {
        co_await connection.run();
    } catch (const ConnectionError&) {
        // The client reset or vanished: nothing to answer, nobody to tell.
    }
}

}  // namespace corio::http::detail
