// The client's connection pool: keep-alive connections per origin under a total limit and a
// per-host limit, handed out FIFO to waiting requests, idle ones expired after keepalive.
// The pool manages counts and lifetimes only; what a Connection holds is client_connection.hpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "corio/coro.hpp"
#include "corio/event.hpp"
#include "corio/loop.hpp"
#include "corio/stream.hpp"
#include "corio/timer_handle.hpp"

namespace corio::http::detail {

struct Connection;
struct ParserLimits;
class Pool;

struct PoolOptions {
    size_t limit = 100;         // connections open at once, all hosts (0: no limit)
    size_t limit_per_host = 0;  // connections open at once to one host:port (0: no limit)
    std::chrono::nanoseconds keepalive = std::chrono::seconds(15);  // idle time before closing
};

// Invariant: open counts this host's connections that are idle, in use, or being opened (a
// Lease holding a slot); acquiring counts acquire() calls in progress for it. A HostPool with
// both at zero and no idle connection is erased.
struct HostPool {
    std::string key;  // "scheme://host:port" (SessionCore::pool_key)
    size_t open = 0;
    size_t acquiring = 0;
    std::vector<std::unique_ptr<Connection>> idle;  // oldest first; reuse takes the newest
};

// What acquire() hands out: a connection to reuse, or a slot to open one in (attach()). Either
// way it counts against the limits until release() puts the connection back for reuse or the
// Lease is destroyed, which closes the connection (it may be mid-response) and frees the slot.
class Lease {
public:
    Lease() noexcept = default;
    Lease(Lease&& o) noexcept;
    Lease& operator=(Lease&& o) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

    Connection* connection() const noexcept { return conn_.get(); }
    // Whether the connection carried a response before (so the server may have closed it).
    bool reused() const noexcept { return reused_; }
    // Makes the slot a connection over stream (its parser bounded by limits).
    Connection& attach(Stream stream);
    Connection& attach(Stream stream, const ParserLimits& limits);
    // The connection ended a whole response and may carry another: keep it for reuse.
    void release();
    // Closes the connection (if any) and frees the slot now.
    void discard() noexcept;

private:
    friend class Pool;
    Lease(Pool* pool, HostPool* host, std::unique_ptr<Connection> conn, bool reused) noexcept;
    Pool* pool_ = nullptr;
    HostPool* host_ = nullptr;
    std::unique_ptr<Connection> conn_;
    bool reused_ = false;
};

class Pool {
public:
    explicit Pool(PoolOptions options);
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;
    ~Pool();

    // A lease for key (one origin: "https://host:port"): the newest idle connection, unless
    // fresh_only, or a slot when the limits allow, else waits (FIFO) for one. Throws HttpError
    // once closed.
    Coro<Lease> acquire(std::string_view key, bool fresh_only = false);
    // Closes idle connections and wakes waiters (they throw); connections in use close when
    // their Lease lets go. Idempotent.
    void close() noexcept;
    bool closed() const noexcept { return closed_; }

    size_t open_count() const noexcept { return open_; }
    size_t idle_count() const noexcept { return idle_; }
    size_t opened_total() const noexcept { return opened_; }  // slots ever granted

private:
    friend class Lease;
    struct Waiter;
    struct Pin;

    HostPool& host(std::string_view key);
    bool can_open(const HostPool& h) const noexcept;
    void reserve(HostPool& h) noexcept;
    void put_back(HostPool& h, std::unique_ptr<Connection> conn) noexcept;
    void free_slot(HostPool& h) noexcept;
    bool close_oldest_idle(const HostPool* only) noexcept;
    void close_idle(HostPool& h, size_t n) noexcept;
    void close_all_idle() noexcept;
    void maybe_erase(HostPool& h) noexcept;
    void arm_expiry() noexcept;
    void expire() noexcept;
    void check_loop() noexcept;
    Loop::time_point now() const noexcept;

    struct KeyHash {
        using is_transparent = void;
        size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>()(s);
        }
    };
    struct KeyEq {
        using is_transparent = void;
        bool operator()(std::string_view a, std::string_view b) const noexcept { return a == b; }
    };

    PoolOptions opt_;
    std::unordered_map<std::string, std::unique_ptr<HostPool>, KeyHash, KeyEq> hosts_;
    Waiter* first_ = nullptr;  // waiting acquires, oldest first
    Waiter* last_ = nullptr;
    size_t open_ = 0;  // sum of HostPool::open
    size_t idle_ = 0;  // sum of HostPool::idle sizes
    size_t opened_ = 0;
    bool closed_ = false;
    Loop* loop_ = nullptr;  // the loop the pooled streams belong to
    TimerHandle expiry_;
    bool expiry_armed_ = false;
};

}  // namespace corio::http::detail
