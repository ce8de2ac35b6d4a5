// open_connection: resolve, then a non-blocking connect to each address in turn, all under one
// deadline. Layer 5. The socket is registered with the loop once, before the handshake is
// awaited, and the same registration serves the Stream afterwards (no second epoll_ctl).
#include "corio/connect.hpp"

#include <errno.h>

#include <cstring>

#include "connect_any.hpp"
#include "corio/detail/loop_access.hpp"
#include "corio/detail/park.hpp"
#include "corio/loop.hpp"
#include "resolver.hpp"
#include "socket.hpp"
#include "stream_core.hpp"
#include "stream_handshake.hpp"

namespace corio {

namespace detail {
namespace {

std::string host_port(const std::string& host, uint16_t port) {
    return host.find(':') != std::string::npos && host.front() != '['
               ? "[" + host + "]:" + std::to_string(port)
               : host + ":" + std::to_string(port);
}

std::string describe(const std::string& host, uint16_t port, const std::string& tried) {
    return "connect to " + host_port(host, port) + " failed (tried " + tried + ")";
}

// The TLS handshake of a connected stream, verifying the server as `host` (the name asked for,
// not the address it resolved to).
Coro<void> secure(StreamCore* core, const ConnectOptions& options, const std::string& host,
                  uint16_t port) {
    co_await handshake(CoreRef(core), options.tls->open(host, port), options.handshake_timeout,
                       host_port(host, port));
}

}  // namespace

int64_t connect_deadline(Loop& loop, const ConnectOptions& options) {
    int64_t timeout = options.timeout.count();
    return timeout > 0 ? deadline_after(LoopAccess::now_ns(loop), timeout) : 0;
}

Coro<Stream> connect_any(std::vector<SocketAddress> addresses, std::string host, uint16_t port,
                         ConnectOptions options, int64_t deadline) {
    Loop& loop = Loop::current();
    int64_t timeout = options.timeout.count();
    if (deadline < 0) deadline = connect_deadline(loop, options);
    std::string tried;
    int last_error = 0;
    bool timed_out = false;
    for (const SocketAddress& addr : addresses) {
        std::string name = addr.to_string();
        tried += tried.empty() ? name : ", " + name;
        int fd = detail::tcp_socket(addr.family());
        if (fd < 0) {
            last_error = -fd;
            continue;
        }
        auto* core = new detail::StreamCore(options.stream);
        Stream stream(core);  // owns the socket from here: any exit closes and unregisters it
        int rc = detail::sys_connect(fd, addr.get(), addr.length);
        if (rc == 0) {
            core->open(loop, fd, name, options.stream, false);
            if (options.tls) co_await secure(core, options, host, port);
            co_return stream;
        }
        if (rc != -EINPROGRESS) {
            detail::close_fd(fd);
            last_error = -rc;
            continue;
        }
        rc = core->watch(loop, fd);
        if (rc < 0) {
            last_error = -rc;
            continue;
        }
        core->ready = 0;  // not writable until the handshake completes
        detail::IoWait wait(core, detail::kWritable, deadline);
        if (!co_await wait) {
            timed_out = true;
            break;
        }
        int err = detail::socket_error(fd);
        if (err == 0) {
            core->ready |= detail::kReadable;  // try the first read rather than wait for it
            core->open(loop, fd, name, options.stream, true);
            if (options.tls) co_await secure(core, options, host, port);
            co_return stream;
        }
        last_error = err;
    }
    std::string msg = describe(host, port, tried);
    if (timed_out) {
        throw TimeoutError(msg + ": timed out after " + std::to_string(timeout / 1000000) + " ms");
    }
    detail::throw_net_error(last_error ? last_error : EHOSTUNREACH, msg);
}

}  // namespace detail

Coro<Stream> open_connection(std::string host, uint16_t port, ConnectOptions options) {
    // One deadline for the name lookup and every connect attempt (aiohttp's connect timeout).
    int64_t deadline = detail::connect_deadline(Loop::current(), options);
    std::vector<SocketAddress> addresses = co_await detail::resolve_until(
        host, port, options.family, false, deadline, options.timeout.count());
    co_return co_await detail::connect_any(std::move(addresses), std::move(host), port,
                                           std::move(options), deadline);
}

}  // namespace corio
