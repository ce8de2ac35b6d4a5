// ws::Connection: the public, move-only handle over a shared WsCore (the reader task holds the
// core too, so it outlives a moved-from or destroyed handle until the task has wound down).
#include "corio/ws/connection.hpp"

#include "core.hpp"

namespace corio::ws {

ConnectionClosed::ConnectionClosed(uint16_t code, std::string reason)
    : WebSocketError("WebSocket connection is closed (code " + std::to_string(code) +
                     (reason.empty() ? std::string(")") : ", " + reason + ")")),
      code(code),
      reason(std::move(reason)) {}

Connection::Connection(Stream stream, std::string leftover, Role role, ConnectionOptions options,
                       std::string path, std::string subprotocol)
    : core_(std::make_shared<detail::WsCore>(std::move(stream), std::move(leftover), role, options,
                                             std::move(path), std::move(subprotocol))) {
    core_->start();
}

Connection::Connection() noexcept = default;
Connection::Connection(Connection&&) noexcept = default;

Connection& Connection::operator=(Connection&& o) noexcept {
    if (this != &o) {
        if (core_) core_->abort();
        core_ = std::move(o.core_);
    }
    return *this;
}

Connection::~Connection() {
    if (core_) core_->abort();
}

namespace {
detail::WsCore& need(const std::shared_ptr<detail::WsCore>& c) {
    if (!c) throw InvalidStateError("empty ws::Connection");
    return *c;
}
}  // namespace

Coro<std::optional<Message>> Connection::recv() { return need(core_).recv(); }
Coro<void> Connection::send(std::string_view text) {
    return need(core_).send(WSLAY_TEXT_FRAME, text);
}
Coro<void> Connection::send_binary(std::string_view data) {
    return need(core_).send(WSLAY_BINARY_FRAME, data);
}
namespace {
// close and wait_closed may be awaited from another task than the handler's, which may destroy
// its Connection meanwhile: these frames hold the core themselves.
Coro<void> close_held(std::shared_ptr<detail::WsCore> core, uint16_t code, std::string reason) {
    co_await core->close(code, reason);
}
Coro<void> wait_closed_held(std::shared_ptr<detail::WsCore> core) { co_await core->wait_closed(); }
}  // namespace

Coro<void> Connection::close(uint16_t code, std::string_view reason) {
    need(core_);
    return close_held(core_, code, std::string(reason));
}
Coro<void> Connection::wait_closed() {
    need(core_);
    return wait_closed_held(core_);
}

const std::string& Connection::path() const { return need(core_).path_; }
const std::string& Connection::remote() const { return need(core_).remote_; }
const std::string& Connection::subprotocol() const { return need(core_).subprotocol_; }
bool Connection::is_open() const { return core_ && core_->is_open(); }
std::optional<uint16_t> Connection::close_code() const { return need(core_).close_code(); }
const std::string& Connection::close_reason() const { return need(core_).close_reason_; }
uint64_t Connection::messages_in() const { return need(core_).messages_in_; }
uint64_t Connection::messages_out() const { return need(core_).messages_out_; }

}  // namespace corio::ws
