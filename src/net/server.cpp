// start_server and the Server handle: resolving the listening addresses, binding, the socket
// options (SO_REUSEADDR, SO_REUSEPORT, IPV6_V6ONLY), closing. Layer 5. Accepting and the
// connection tasks are in server_accept.cpp.
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#include "corio/loop.hpp"
#include "server_core.hpp"
#include "socket.hpp"
#include "stream_core.hpp"

namespace corio {

namespace detail {

namespace {

void set_port(SocketAddress& a, uint16_t port) {
    if (a.family() == AF_INET) {
        reinterpret_cast<sockaddr_in*>(&a.storage)->sin_port = htons(port);
    } else {
        reinterpret_cast<sockaddr_in6*>(&a.storage)->sin6_port = htons(port);
    }
}

// A listening socket for addr, or -errno; what names the failing step.
int open_listener(const SocketAddress& addr, const ServerOptions& o, const char*& what) {
    what = "socket";
    int fd = tcp_socket(addr.family());
    if (fd < 0) return fd;
    int rc = 0;
    if (o.reuse_address) rc = set_int_option(fd, SOL_SOCKET, SO_REUSEADDR, 1);
    if (rc == 0 && o.reuse_port) {
        what = "SO_REUSEPORT";
        rc = set_int_option(fd, SOL_SOCKET, SO_REUSEPORT, 1);
    }
    // An IPv6 socket takes only IPv6, so "::" and "0.0.0.0" can listen side by side.
    if (rc == 0 && addr.family() == AF_INET6) rc = set_int_option(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
    if (rc == 0) {
        what = "bind";
        if (::bind(fd, addr.get(), addr.length) < 0) rc = -errno;
    }
    if (rc == 0) {
        what = "listen";
        if (::listen(fd, o.backlog) < 0) rc = -errno;
    }
    if (rc < 0) {
        close_fd(fd);
        return rc;
    }
    return fd;
}

uint16_t bound_port(int fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) < 0) return 0;
    SocketAddress a;
    a.storage = ss;
    a.length = len;
    return a.port();
}

}  // namespace

ServerCore::~ServerCore() {
    for (auto& l : listeners_) l->io.detach_and_close();
}

void ServerCore::listen_on(const std::vector<SocketAddress>& addresses, const std::string& host,
                           uint16_t port) {
    port_ = port;
    for (SocketAddress addr : addresses) {
        // Port 0 with several addresses (localhost: 127.0.0.1 and ::1): the first picks a free
        // port and the others take the same, so port() means one thing.
        if (port_ != 0) set_port(addr, port_);
        const char* what = "";
        int fd = open_listener(addr, options_, what);
        if (fd < 0) {
            for (auto& l : listeners_) l->io.detach_and_close();
            listeners_.clear();
            std::string where = addr.to_string();
            std::string asked = host + ":" + std::to_string(port);
            if (where != asked) where += " (" + asked + ")";
            throw_net_error(-fd, "cannot listen on " + where + ": " + what);
        }
        auto l = std::make_unique<Listener>();
        int rc = l->io.attach(*loop_, fd);
        if (rc < 0) {
            close_fd(fd);
            throw_net_error(-rc, "registering the listening socket " + addr.to_string());
        }
        if (port_ == 0) port_ = bound_port(fd);
        set_port(addr, port_);
        l->address = addr.to_string();
        listeners_.push_back(std::move(l));
    }
}

std::vector<std::string> ServerCore::addresses() const {
    std::vector<std::string> out;
    for (const auto& l : listeners_) out.push_back(l->address);
    return out;
}

void ServerCore::close() {
    if (closed_) return;
    closed_ = true;
    for (auto& l : listeners_) {
        // Dropping the handle as well breaks the cycle core -> task -> frame -> core; the
        // loop keeps the task until its cancellation has run.
        if (l->acceptor.valid()) l->acceptor.cancel();
        l->acceptor = Task<void>();
        l->io.detach_and_close();
    }
    slot_free_.wake_all();
    closed_waiters_.wake_all();
    if (active_ == 0) idle_waiters_.wake_all();
    leave_registry();
}

void ServerCore::close_clients() {
    for (Conn* c = conns_.front(); c; c = conns_.next(c)) c->stream->close();
}

namespace {

Coro<void> wait_closed_impl(std::shared_ptr<ServerCore> s) {
    while (!s->closed() || s->active() > 0) {
        WaitQueue::Awaiter wait(s->idle_waiters());
        co_await wait;
    }
}

Coro<void> serve_forever_impl(std::shared_ptr<ServerCore> s) {
    std::exception_ptr cancelled;
    try {
        while (!s->closed()) {
            WaitQueue::Awaiter wait(s->closed_waiters());
            co_await wait;
        }
    } catch (const CancelledError&) {
        cancelled = std::current_exception();
    }
    if (cancelled) {
        s->close();
        std::rethrow_exception(cancelled);
    }
}

}  // namespace

}  // namespace detail

Server::Server(std::shared_ptr<detail::ServerCore> core) noexcept : core_(std::move(core)) {}

Server& Server::operator=(Server&& o) noexcept {
    if (this != &o) {
        if (core_) core_->close();
        core_ = std::move(o.core_);
    }
    return *this;
}

Server::~Server() {
    if (core_) core_->close();
}

detail::ServerCore& Server::core() const {
    if (!core_) throw InvalidStateError("empty Server");
    return *core_;
}

uint16_t Server::port() const { return core().port(); }
std::vector<std::string> Server::addresses() const { return core().addresses(); }
bool Server::is_serving() const { return !core().closed(); }
size_t Server::active_connections() const { return core().active(); }
void Server::close() { core().close(); }
void Server::close_clients() { core().close_clients(); }
Coro<void> Server::wait_closed() {
    core();
    return detail::wait_closed_impl(core_);
}
Coro<void> Server::serve_forever() {
    core();
    return detail::serve_forever_impl(core_);
}

Coro<Server> start_server(ConnectionHandler handler, std::string host, uint16_t port,
                          ServerOptions options) {
    if (!handler) throw InvalidStateError("start_server: empty handler");
    Loop& loop = Loop::current();
    std::vector<SocketAddress> addresses = co_await resolve(host, port, options.family, true);
    auto core = std::make_shared<detail::ServerCore>(loop, std::move(handler), options);
    core->listen_on(addresses, host, port);
    core->start_accepting();
    co_return Server(std::move(core));
}

}  // namespace corio
