// The client's connection pool (see pool.hpp). Waiting acquires sit in a FIFO list of Waiter
// nodes that live in their coroutine frames; a freed slot or a released connection is handed
// straight to the right waiter, so no request can barge past an older one, and a waiter that
// is cancelled after being handed something gives it back from its destructor.
#include "pool.hpp"

#include <algorithm>

#include "client_connection.hpp"
#include "corio/http/errors.hpp"

namespace corio::http::detail {

// One waiting acquire. Granted with either a connection (conn) or a reserved slot (slot).
struct Pool::Waiter {
    Pool* pool;
    HostPool* host;
    Waiter* prev = nullptr;
    Waiter* next = nullptr;
    bool linked = false;
    bool slot = false;
    std::unique_ptr<Connection> conn;
    Event ready;

    Waiter(Pool* p, HostPool* h) : pool(p), host(h) {
        prev = p->last_;
        (prev ? prev->next : p->first_) = this;
        p->last_ = this;
        linked = true;
    }
    void unlink() noexcept {
        if (!linked) return;
        (prev ? prev->next : pool->first_) = next;
        (next ? next->prev : pool->last_) = prev;
        linked = false;
    }
    void grant_slot() noexcept {
        unlink();
        pool->reserve(*host);
        slot = true;
        ready.set();
    }
    void grant(std::unique_ptr<Connection> c) noexcept {
        unlink();
        conn = std::move(c);
        ready.set();
    }
    ~Waiter() {
        unlink();
        // Handed something, then cancelled (or the pool closed) before taking it: pass it on.
        if (conn) {
            pool->put_back(*host, std::move(conn));
        } else if (slot) {
            pool->free_slot(*host);
        }
    }
};

// Keeps a HostPool from being erased while an acquire for it runs.
struct Pool::Pin {
    Pool* pool;
    HostPool* host;
    Pin(Pool* p, HostPool* h) noexcept : pool(p), host(h) { ++h->acquiring; }
    Pin(const Pin&) = delete;
    Pin& operator=(const Pin&) = delete;
    ~Pin() {
        --host->acquiring;
        pool->maybe_erase(*host);
    }
};

// ---- Lease ----

Lease::Lease(Pool* pool, HostPool* host, std::unique_ptr<Connection> conn, bool reused) noexcept
    : pool_(pool), host_(host), conn_(std::move(conn)), reused_(reused) {}

Lease::Lease(Lease&& o) noexcept
    : pool_(std::exchange(o.pool_, nullptr)),
      host_(std::exchange(o.host_, nullptr)),
      conn_(std::move(o.conn_)),
      reused_(o.reused_) {}

Lease& Lease::operator=(Lease&& o) noexcept {
    if (this != &o) {
        discard();
        pool_ = std::exchange(o.pool_, nullptr);
        host_ = std::exchange(o.host_, nullptr);
        conn_ = std::move(o.conn_);
        reused_ = o.reused_;
    }
    return *this;
}

Lease::~Lease() { discard(); }

Connection& Lease::attach(Stream stream) { return attach(std::move(stream), ParserLimits{}); }

Connection& Lease::attach(Stream stream, const ParserLimits& limits) {
    conn_ = std::make_unique<Connection>(std::move(stream), limits);
    reused_ = false;
    return *conn_;
}

void Lease::release() {
    if (!pool_) return;
    Pool* p = std::exchange(pool_, nullptr);
    HostPool* h = std::exchange(host_, nullptr);
    if (!conn_) {
        p->free_slot(*h);
        return;
    }
    ++conn_->responses;
    p->put_back(*h, std::move(conn_));
}

void Lease::discard() noexcept {
    if (!pool_) return;
    conn_.reset();  // closes the stream: a half-read response must not reach the next request
    Pool* p = std::exchange(pool_, nullptr);
    p->free_slot(*std::exchange(host_, nullptr));
}

// ---- Pool ----

Pool::Pool(PoolOptions options) : opt_(options) {}

Pool::~Pool() { close(); }

Loop::time_point Pool::now() const noexcept { return loop_ ? loop_->time() : Loop::time_point{}; }

HostPool& Pool::host(std::string_view key) {
    auto it = hosts_.find(key);
    if (it != hosts_.end()) return *it->second;
    auto h = std::make_unique<HostPool>();
    h->key = key;
    HostPool& ref = *h;
    hosts_.emplace(ref.key, std::move(h));
    return ref;
}

bool Pool::can_open(const HostPool& h) const noexcept {
    return (opt_.limit == 0 || open_ < opt_.limit) &&
           (opt_.limit_per_host == 0 || h.open < opt_.limit_per_host);
}

void Pool::reserve(HostPool& h) noexcept {
    ++h.open;
    ++open_;
    ++opened_;
}

void Pool::check_loop() noexcept {
    Loop* running = Loop::running();
    // A loop that closed cancels the timers still armed: that tells a new loop built at the
    // old one's address from the old one (idle connections always have the timer armed).
    bool old_loop_closed = expiry_armed_ && expiry_.cancelled();
    if (running == loop_ && !old_loop_closed) return;
    // Streams belong to the loop that opened them: a session used from a new loop starts over.
    expiry_.cancel();
    expiry_armed_ = false;
    close_all_idle();
    loop_ = running;
}

void Pool::close_all_idle() noexcept {
    // close_idle may erase its host from hosts_: walk a copy.
    std::vector<HostPool*> hosts;
    for (auto& [key, h] : hosts_) hosts.push_back(h.get());
    for (HostPool* h : hosts) close_idle(*h, h->idle.size());
}

Coro<Lease> Pool::acquire(std::string_view key, bool fresh_only) {
    if (closed_) throw HttpError("the client session is closed");
    check_loop();
    HostPool& h = host(key);
    Pin pin(this, &h);
    for (;;) {
        if (!fresh_only && !h.idle.empty()) {
            auto& newest = h.idle.back();
            if (newest->idle_since + opt_.keepalive > now()) {
                std::unique_ptr<Connection> c = std::move(newest);
                h.idle.pop_back();
                --idle_;
                co_return Lease(this, &h, std::move(c), true);
            }
            close_idle(h, h.idle.size());  // the newest expired, so all have
            continue;
        }
        if (can_open(h)) {
            reserve(h);
            co_return Lease(this, &h, nullptr, false);
        }
        // At a limit: an idle connection that cannot serve this request gives up its slot.
        if (close_oldest_idle(fresh_only ? &h : nullptr)) continue;
        Waiter w(this, &h);
        co_await w.ready.wait();
        if (w.conn) co_return Lease(this, &h, std::move(w.conn), true);
        if (w.slot) {
            w.slot = false;
            co_return Lease(this, &h, nullptr, false);
        }
        if (closed_) throw HttpError("the client session is closed");
    }
}

void Pool::put_back(HostPool& h, std::unique_ptr<Connection> conn) noexcept {
    if (closed_ || loop_ != Loop::running()) {
        conn.reset();
        free_slot(h);
        return;
    }
    conn->idle_since = now();
    bool other_can_open = false;
    for (Waiter* w = first_; w; w = w->next) {
        if (w->host == &h) {
            w->grant(std::move(conn));
            return;
        }
        if (opt_.limit_per_host == 0 || w->host->open < opt_.limit_per_host) other_can_open = true;
    }
    if (other_can_open) {
        // Another host's request waits for the total limit: this connection makes way.
        conn.reset();
        free_slot(h);
        return;
    }
    h.idle.push_back(std::move(conn));
    ++idle_;
    arm_expiry();
}

void Pool::free_slot(HostPool& h) noexcept {
    --h.open;
    --open_;
    if (!closed_) {
        for (Waiter* w = first_; w; w = w->next) {
            if (can_open(*w->host)) {
                w->grant_slot();
                break;
            }
        }
    }
    maybe_erase(h);
}

void Pool::maybe_erase(HostPool& h) noexcept {
    if (h.open == 0 && h.acquiring == 0 && h.idle.empty()) hosts_.erase(h.key);
}

void Pool::close_idle(HostPool& h, size_t n) noexcept {
    // Oldest first; each close frees a slot, which may go to a waiter at once.
    n = std::min(n, h.idle.size());
    std::vector<std::unique_ptr<Connection>> gone;
    gone.reserve(n);
    for (size_t i = 0; i < n; ++i) gone.push_back(std::move(h.idle[i]));
    h.idle.erase(h.idle.begin(), h.idle.begin() + static_cast<std::ptrdiff_t>(n));
    idle_ -= n;
    h.open -= n;
    open_ -= n;
    gone.clear();
    HostPool* hp = &h;
    for (size_t i = 0; i < n && !closed_; ++i) {
        Waiter* w = first_;
        while (w && !can_open(*w->host)) w = w->next;
        if (!w) break;
        w->grant_slot();
    }
    maybe_erase(*hp);
}

bool Pool::close_oldest_idle(const HostPool* only) noexcept {
    if (idle_ == 0) return false;
    HostPool* oldest = nullptr;
    if (only) {
        if (!only->idle.empty()) oldest = const_cast<HostPool*>(only);
    } else {
        for (auto& [key, h] : hosts_) {
            if (!h->idle.empty() &&
                (!oldest || h->idle.front()->idle_since < oldest->idle.front()->idle_since)) {
                oldest = h.get();
            }
        }
    }
    if (!oldest) return false;
    close_idle(*oldest, 1);
    return true;
}

void Pool::arm_expiry() noexcept {
    if (expiry_armed_ || !loop_ || idle_ == 0) return;
    Loop::time_point first = Loop::time_point::max();
    for (auto& [key, h] : hosts_) {
        if (!h->idle.empty()) first = std::min(first, h->idle.front()->idle_since);
    }
    expiry_armed_ = true;
    expiry_ = loop_->call_at(first + opt_.keepalive, [this] {
        expiry_armed_ = false;
        expire();
    });
}

void Pool::expire() noexcept {
    Loop::time_point t = now();
    std::vector<HostPool*> hosts;
    for (auto& [key, h] : hosts_) hosts.push_back(h.get());
    for (HostPool* h : hosts) {
        size_t n = 0;
        while (n < h->idle.size() && h->idle[n]->idle_since + opt_.keepalive <= t) ++n;
        if (n) close_idle(*h, n);  // may erase h, which is not used again
    }
    arm_expiry();
}

void Pool::close() noexcept {
    if (closed_) return;
    closed_ = true;
    expiry_.cancel();
    expiry_armed_ = false;
    close_all_idle();
    while (first_) {
        Waiter* w = first_;
        w->unlink();
        w->ready.set();
    }
}

}  // namespace corio::http::detail
