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
//  - self_ is set exactly while the core is in its loop's registry of residents (from
//    start_accepting() until close(), or until the loop closes first and abandons it: then
//    loop_ is null, closed_ set, and the handle behaves as closed).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "corio/detail/intrusive_list.hpp"
#include "corio/detail/resident.hpp"
#include "corio/server.hpp"
#include "corio/task.hpp"
#include "io_source.hpp"
#include "wait_queue.hpp"

namespace corio::detail {

class StreamCore;

class ServerCore final : public std::enable_shared_from_this<ServerCore>, public Resident {
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

    // Resident: the loop's view (io_teardown.cpp)
    bool resident_done() const noexcept override { return true; }  // listening is no work
    void hold_resident() noexcept override { self_ = shared_from_this(); }
    void release_resident() noexcept override;
    void cancel_resident() override;   // Loop::shutdown: close() from the next iteration
    void abandon_resident() override;  // Loop::close: close the listeners now, forget the loop
    void run() override;               // the close queued by cancel_resident
    void drop() override;

private:
    friend struct ConnScope;
    friend Coro<void> accept_loop(std::shared_ptr<ServerCore> s, Listener* l);
    void accept_one(int fd, const sockaddr_storage& peer);
    void connection_started(Conn* c) noexcept;
    void connection_finished(Conn* c) noexcept;
    void report_accept_error(const Listener& l, int err);
    void leave_registry() noexcept;  // last step wherever it is called: may free the core

    Loop* loop_;
    ConnectionHandler handler_;
    ServerOptions options_;
    std::vector<std::unique_ptr<Listener>> listeners_;  // unique_ptr: the poller holds &io
    IntrusiveList<Conn, &Conn::hook> conns_;
    size_t active_ = 0;
    uint16_t port_ = 0;
    bool closed_ = false;
    bool accept_error_logged_ = false;    // one line per episode of failing accepts
    WaitQueue slot_free_;                 // accept tasks waiting for a connection to end
    WaitQueue closed_waiters_;            // serve_forever()
    WaitQueue idle_waiters_;              // wait_closed(): closed and no connection left
    std::shared_ptr<ServerCore> self_;    // the registry's reference; see invariants
    std::shared_ptr<ServerCore> queued_;  // held while cancel_resident's close is queued
};

}  // namespace corio::detail
