// One HTTP/1.1 connection of http::serve: what serve() shares with every connection, and the
// coroutine that serves one. Internal to src/http.
#pragma once

#include <memory>

#include "corio/http/server.hpp"
#include "http/parser.hpp"

namespace corio::http::detail {

// Fixed when serve() starts; shared read-only by every connection of that server.
struct ServerConfig {
    Handler handler;
    ServerOptions options;
    ParserLimits limits;
};

// Serves requests on stream until the client or a limit ends the connection, or a handler's
// switching_protocols() takes it over. A reset by the peer ends it quietly.
Coro<void> serve_connection(Stream stream, std::shared_ptr<const ServerConfig> config);

}  // namespace corio::http::detail
