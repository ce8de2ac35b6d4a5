// http::serve: turns ServerOptions into parser limits and TCP settings, and runs one
// serve_connection per accepted connection through corio::start_server.
#include "corio/http/server.hpp"

#include <stdexcept>

#include "http/server_connection.hpp"

namespace corio::http {

Coro<Server> serve(Handler handler, std::string host, uint16_t port) {
    ServerOptions defaults;
    return serve(std::move(handler), std::move(host), port, std::move(defaults));
}

Coro<Server> serve(Handler handler, std::string host, uint16_t port, ServerOptions options) {
    if (!handler) throw std::invalid_argument("http::serve: empty handler");
    auto config = std::make_shared<detail::ServerConfig>();
    config->handler = std::move(handler);
    config->limits.max_line = options.max_line_bytes;
    config->limits.max_header_bytes = options.max_header_bytes;
    config->limits.max_header_count = options.max_header_count;
    config->limits.max_body = options.max_body_size;
    corio::ServerOptions tcp = options.tcp;
    if (options.max_connections != 0) tcp.max_connections = options.max_connections;
    if (options.tls) tcp.tls = options.tls;
    config->options = std::move(options);
    std::shared_ptr<const detail::ServerConfig> shared = std::move(config);
    ConnectionHandler on_connection = [shared](Stream stream) {
        return detail::serve_connection(std::move(stream), shared);
    };
    co_return co_await start_server(std::move(on_connection), std::move(host), port, tcp);
}

}  // namespace corio::http
