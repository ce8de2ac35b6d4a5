// ws::serve over http::serve's upgrade hook: each request is answered by answer() (101 with the
// takeover, or a proper HTTP error / page), and the takeover runs the handler on a Connection.
#include "corio/ws/server.hpp"

#include <cstdio>

#include "corio/detail/loop_access.hpp"
#include "corio/http/server.hpp"
#include "corio/loop.hpp"
#include "corio/ws/handshake.hpp"
#include "options.hpp"

namespace corio::ws {

namespace {

struct ServeState {
    Handler handler;
    ServerOptions options;
    ConnectionOptions connection;
};

using StatePtr = std::shared_ptr<const ServeState>;

// A free coroutine, not a capturing lambda: the takeover's std::function may be gone before the
// connection ends, and a lambda coroutine's captures live in the closure, not in the frame.
Coro<void> run_connection(StatePtr st, std::string target, std::string subprotocol, Stream stream,
                          std::string leftover) {
    Connection conn(std::move(stream), std::move(leftover), Role::Server, st->connection,
                    std::move(target), std::move(subprotocol));
    bool failed = false;
    try {
        co_await st->handler(conn);
    } catch (const CancelledError&) {
        throw;
    } catch (const ConnectionClosed&) {
        // The peer went away while the handler sent: nothing failed on this side.
    } catch (const std::exception& e) {
        corio::detail::LoopAccess::report(
            Loop::running(),
            "ws::serve: the handler for " + conn.remote() + " failed: " + e.what());
        failed = true;
    }
    if (conn.is_open()) {
        co_await conn.close(failed ? 1011 : 1000);
    } else {
        co_await conn.wait_closed();
    }
}

http::Response plain(int status, std::string body, std::string type = "text/plain") {
    http::Response r;
    r.status = status;
    r.headers.set("Content-Type", std::move(type) + "; charset=utf-8");
    r.body = std::move(body);
    return r;
}

http::Response answer(const StatePtr& st, const http::Request& req) {
    const ServerOptions& o = st->options;
    std::string_view path = std::string_view(req.target).substr(0, req.target.find('?'));
    if (!o.paths.empty()) {
        bool known = false;
        for (const std::string& p : o.paths) known = known || p == path;
        if (!known) return plain(404, "Not Found\n");
    }
    UpgradeCheck check = check_upgrade(req.method, req.headers);
    if (!check.is_websocket) {  // plain HTTP, or another protocol (h2c): answered as HTTP
        if (!o.page.empty() && (req.method == "GET" || req.method == "HEAD"))
            return plain(200, o.page, "text/html");
        http::Response r =
            plain(426,
                  "426 Upgrade Required: this is a WebSocket endpoint; connect with a WebSocket "
                  "client (ws://).\n");
        r.headers.set("Upgrade", "websocket");
        return r;
    }
    if (!check.ok) {
        http::Response r = plain(check.status, "Bad WebSocket handshake: " + check.error + "\n");
        if (check.status == 426) r.headers.set("Sec-WebSocket-Version", "13");
        r.headers.set("Connection", "close");
        return r;
    }
    http::Headers h;
    h.add("Upgrade", "websocket");
    h.add("Connection", "Upgrade");
    h.add("Sec-WebSocket-Accept", check.accept);
    // Sec-WebSocket-Extensions is never echoed: wslay does not compress.
    std::string proto = select_subprotocol(req.headers, o.subprotocols);
    if (!proto.empty()) h.add("Sec-WebSocket-Protocol", proto);
    http::Takeover takeover = [st, target = req.target, proto](Stream s, std::string leftover) {
        return run_connection(st, target, proto, std::move(s), std::move(leftover));
    };
    return http::Response::switching_protocols(std::move(h), std::move(takeover));
}

Coro<http::Response> answer_request(StatePtr st, http::Request& req) { co_return answer(st, req); }

}  // namespace

Coro<Server> serve(Handler handler, std::string host, uint16_t port) {
    ServerOptions defaults;
    return serve(std::move(handler), std::move(host), port, std::move(defaults));
}

Coro<Server> serve(Handler handler, std::string host, uint16_t port, ServerOptions options) {
    auto st = std::make_shared<ServeState>();
    st->handler = std::move(handler);
    st->connection = detail::connection_options(options);
    http::ServerOptions ho;
    ho.header_timeout = options.open_timeout;
    ho.max_connections = options.max_connections;
    ho.tcp.reuse_port = options.reuse_port;
    ho.tls = options.tls;
    ho.tcp.handshake_timeout = options.open_timeout;
    st->options = std::move(options);
    StatePtr cst = st;
    http::Handler h = [cst](http::Request& req) { return answer_request(cst, req); };
    co_return co_await http::serve(std::move(h), std::move(host), port, std::move(ho));
}

}  // namespace corio::ws
