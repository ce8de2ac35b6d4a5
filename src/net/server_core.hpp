// ServerCore: the shared state behind a Server handle, its accept tasks and its connection
// tasks (each holds a shared_ptr, so a Server may be dropped while handlers still run).
// Layer 5 internals: server.cpp (listening, the Server API) and server_accept.cpp (accepting,
// the connection tasks).
//
// Invariants:
//  - closed_ is set once, by close(); after it no listener has an fd and no accept task runs.
//  - active_ counts connection tasks between their first and last step; conns_ links exactly
//    those tasks' nodes.
//  - at most one accept task per listener, parked on its listener's readiness, on slot_free_
//    (connection limit, or backing off after EMFILE), or running.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "corio/detail/intrusive_list.hpp"
#include "corio/server.hpp"
#include "corio/task.hpp"
#include "io_source.hpp"
#include "wait_queue.hpp"

namespace corio::detail {

class StreamCore;

class ServerCore : public std::enable_shared_from_this<ServerCore> {
public:
    struct Listener {
        IoSource io;
        std::string address;
        Task<void> acceptor;
    };
    // A running connection, linked from its task's frame (see server_accept.cpp).
    struct Conn {
        StreamCore* stream = nullptr;
        ListHook<Conn> hook;
    };

    ServerCore(Loop& loop, ConnectionHandler handler, const ServerOptions& options)
        : loop_(&loop), handler_(std::move(handler)), options_(options) {}
    const ServerOptions& options() const noexcept { return options_; }
    ~ServerCore();
    ServerCore(const ServerCore&) = delete;
    ServerCore& operator=(const ServerCore&) = delete;

    // server.cpp
    void listen_on(const std::vector<SocketAddress>& addresses, const std::string& host,
                   uint16_t port);
    void close();
    void close_clients();
    uint16_t port() const noexcept { return port_; }
    std::vector<std::string> addresses() const;
    bool closed() const noexcept { return closed_; }
    size_t active() const noexcept { return active_; }
    WaitQueue& closed_waiters() noexcept { return closed_waiters_; }
    WaitQueue& idle_waiters() noexcept { return idle_waiters_; }

    // server_accept.cpp
    void start_accepting();

private:
    friend struct ConnScope;
    friend Coro<void> accept_loop(std::shared_ptr<ServerCore> s, Listener* l);
    void accept_one(int fd, const sockaddr_storage& peer);
    void connection_started(Conn* c) noexcept;
    void connection_finished(Conn* c) noexcept;
    void report_accept_error(const Listener& l, int err);

    Loop* loop_;
    ConnectionHandler handler_;
    ServerOptions options_;
    std::vector<std::unique_ptr<Listener>> listeners_;  // unique_ptr: the poller holds &io
    IntrusiveList<Conn, &Conn::hook> conns_;
    size_t active_ = 0;
    uint16_t port_ = 0;
    bool closed_ = false;
    bool accept_error_logged_ = false;  // one line per episode of failing accepts
    WaitQueue slot_free_;               // accept tasks waiting for a connection to end
    WaitQueue closed_waiters_;          // serve_forever()
    WaitQueue idle_waiters_;            // wait_closed(): closed and no connection left
};

}  // namespace corio::detail
