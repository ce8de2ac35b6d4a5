// wsserver's behaviour on one event loop: the message handler (ping, time, echo), the log lines,
// the page for plain GETs, and the graceful shutdown that closes every client with 1001.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_set>

#include "corio/corio.hpp"
#include "corio/tls.hpp"
#include "corio/ws/connection.hpp"
#include "options.hpp"

namespace wsserver {

// The current local time as ISO 8601 with milliseconds and UTC offset:
// 2026-12-06T23:10:05.123+00:00.
std::string now_iso8601();

// The page a plain GET gets: it opens a WebSocket back to the server, sends "ping" and "time",
// and writes what came back into the page (<pre id="result">) and its title.
const std::string& demo_page();

// One event loop's share of the server. Touched only from its loop's thread, except stop, which
// other threads set through loop->call_soon_threadsafe.
struct Worker {
    const Options* options = nullptr;
    corio::Loop* loop = nullptr;
    std::shared_ptr<corio::TransportFactory> tls;  // wss when set; shared by every worker
    corio::Event stop;
    std::unordered_set<corio::ws::Connection*> connections;  // those in their handler now
};

// A configuration the server cannot start with; what() is the message (exit code 2).
class SetupError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The TLS context for --cert/--key, or nullptr without them. Throws SetupError (a file that
// cannot be read, a key that does not match the certificate, no TLS built in).
std::shared_ptr<corio::tls::ServerContext> make_tls(const Options& o);

// Serves on port until w.stop is set, then closes every connection with 1001 and returns once
// they are closed (or close_timeout passed). on_listening gets the port once bound.
corio::Coro<void> run_worker(Worker& w, uint16_t port, std::function<void(uint16_t)> on_listening);

}  // namespace wsserver
