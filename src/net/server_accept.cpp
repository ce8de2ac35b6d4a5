// The server's accept tasks and connection tasks. Layer 5.
//
// One accept task per listening socket accepts until EAGAIN, then parks on the socket's
// readiness (registered once, edge-triggered). When accept fails for lack of resources
// (EMFILE, ENFILE, ENOBUFS, ENOMEM) the connection stays in the backlog and the readiness bit
// stays set; the task logs once, then sleeps with exponential backoff (10 ms doubling to
// 500 ms) and tries again. A connection that ends wakes it at once, since that freed a
// descriptor. So a full descriptor table neither spins the CPU nor stops the server for long.
// The connection limit (ServerOptions::max_connections) parks the task the same way.
#include <errno.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "corio/detail/loop_access.hpp"
#include "server_core.hpp"
#include "socket.hpp"
#include "stream_core.hpp"
#include "stream_handshake.hpp"

namespace corio::detail {

namespace {

constexpr int64_t kFirstBackoffNs = 10'000'000;
constexpr int64_t kMaxBackoffNs = 500'000'000;

// Errors about one pending connection, not about the listening socket: accept the next one.
bool is_transient(int err) {
    switch (err) {
        case ECONNABORTED:
        case EPROTO:
        case EPERM:
        case ENETDOWN:
        case ENOPROTOOPT:
        case EHOSTDOWN:
        case ENONET:
        case EHOSTUNREACH:
        case EOPNOTSUPP:
        case ENETUNREACH:
        case EINTR:
            return true;
        default:
            return false;
    }
}

}  // namespace

// Links a connection into its server for the life of its task, also when the loop closes and
// destroys the frame without resuming it.
struct ConnScope {
    ServerCore* s;
    ServerCore::Conn node;
    ConnScope(ServerCore* server, StreamCore* stream) : s(server) {
        node.stream = stream;
        stream->add_ref();
        s->connection_started(&node);
    }
    ~ConnScope() {
        s->connection_finished(&node);
        node.stream->release();
    }
};

namespace {

// "host:port" or "[v6]:port" as format_address writes them, split.
std::pair<std::string, uint16_t> split_peer(const std::string& peer) {
    size_t colon = peer.rfind(':');
    if (colon == std::string::npos) return {peer, 0};
    std::string host = peer.substr(0, colon);
    if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    return {host, static_cast<uint16_t>(std::stoul(peer.substr(colon + 1)))};
}

Coro<void> run_connection(std::shared_ptr<ServerCore> s, StreamCore* core, Stream stream,
                          const ConnectionHandler* handler) {
    ConnScope scope(s.get(), core);
    std::exception_ptr cancelled;
    try {
        if (const auto& tls = s->options().tls) {
            // A client that cannot finish the handshake never reaches the handler; it is
            // dropped quietly (port scanners and plain-HTTP clients would flood a report).
            bool secured = false;
            try {
                auto [host, port] = split_peer(core->peer());
                co_await handshake(CoreRef(core), tls->open(host, port),
                                   s->options().handshake_timeout, core->peer());
                secured = true;
            } catch (const CancelledError&) {
                throw;
            } catch (...) {
            }
            if (!secured) co_return;
        }
        co_await (*handler)(std::move(stream));
    } catch (const CancelledError&) {
        cancelled = std::current_exception();
    } catch (...) {
        detail::LoopAccess::report(Loop::current(), "unhandled exception in a connection handler",
                                   std::current_exception());
    }
    if (cancelled) std::rethrow_exception(cancelled);
}

}  // namespace

void ServerCore::connection_started(Conn* c) noexcept {
    conns_.push_front(c);
    ++active_;
}

void ServerCore::connection_finished(Conn* c) noexcept {
    conns_.remove(c);
    --active_;
    // A descriptor and a connection slot were freed: a paused accept task may go on.
    slot_free_.wake_all();
    if (closed_ && active_ == 0) idle_waiters_.wake_all();
}

void ServerCore::accept_one(int fd, const sockaddr_storage& peer) {
    auto* core = new StreamCore(options_.stream);
    Stream stream(core);
    try {
        core->open(*loop_, fd, format_address(reinterpret_cast<const sockaddr*>(&peer)),
                   options_.stream, false);
    } catch (const std::exception& e) {
        detail::LoopAccess::report(loop_,
                                   std::string("dropping an accepted connection: ") + e.what());
        return;
    }
    loop_->create_task(run_connection(shared_from_this(), core, std::move(stream), &handler_));
}

void ServerCore::report_accept_error(const Listener& l, int err) {
    if (accept_error_logged_) return;
    accept_error_logged_ = true;
    detail::LoopAccess::report(loop_, "accept on " + l.address + " failed: " + std::strerror(err) +
                                          "; pausing accepts with backoff until it succeeds "
                                          "again");
}

Coro<void> accept_loop(std::shared_ptr<ServerCore> s, ServerCore::Listener* l) {
    int64_t backoff = 0;
    size_t limit = s->options_.max_connections;
    for (;;) {
        if (s->closed_) co_return;
        if (limit > 0 && s->active_ >= limit) {
            WaitQueue::Awaiter wait(s->slot_free_);
            co_await wait;
            continue;
        }
        if (l->io.can_read()) {
            sockaddr_storage peer;
            int fd = sys_accept(l->io.fd, &peer);
            if (fd >= 0) {
                backoff = 0;
                s->accept_one(fd, peer);
                continue;
            }
            if (fd == -EAGAIN || fd == -EWOULDBLOCK) {
                // Only EAGAIN ends an episode: with the table still full, the accept after a
                // success fails with EMFILE again (the kernel takes a descriptor first).
                s->accept_error_logged_ = false;
                l->io.ready &= ~kReadable;
            } else if (is_transient(-fd)) {
                continue;
            } else {
                // Out of descriptors or memory (or a broken listener): back off, never spin.
                s->report_accept_error(*l, -fd);
                backoff = backoff == 0 ? kFirstBackoffNs : std::min(backoff * 2, kMaxBackoffNs);
                WaitQueue::Awaiter wait(s->slot_free_,
                                        detail::LoopAccess::now_ns(*s->loop_) + backoff);
                co_await wait;
                continue;
            }
        }
        IoWait wait(&l->io, kReadable);
        co_await wait;
    }
}

void ServerCore::start_accepting() {
    // In the loop's registry from now on, so a loop closed first closes the listeners.
    hold_resident();
    LoopAccess::register_resident(*loop_, this);
    for (auto& l : listeners_) {
        l->acceptor = loop_->create_task(accept_loop(shared_from_this(), l.get()), "accept");
    }
}

}  // namespace corio::detail
