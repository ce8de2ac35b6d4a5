// ws::Message: one whole WebSocket message (fragments already joined), text or binary.
// A text message's payload has been checked to be UTF-8 when it was received.
//
// Threads: a plain value, usable on any thread. Its members never throw (std::bad_alloc aside).
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace corio::ws {

class Message {
public:
    enum class Kind : unsigned char { Text, Binary };

    Message() = default;
    Message(Kind kind, std::string payload) : payload_(std::move(payload)), kind_(kind) {}

    bool is_text() const noexcept { return kind_ == Kind::Text; }
    bool is_binary() const noexcept { return kind_ == Kind::Binary; }
    Kind kind() const noexcept { return kind_; }
    // The payload; text() and data() are the same bytes, named for what the caller expects.
    std::string_view text() const noexcept { return payload_; }
    std::string_view data() const noexcept { return payload_; }
    size_t size() const noexcept { return payload_.size(); }
    // Moves the payload out (the message is left empty).
    std::string take() noexcept { return std::move(payload_); }

private:
    std::string payload_;
    Kind kind_ = Kind::Text;
};

}  // namespace corio::ws
