// The HTTP servers the network groups measure against: corio's http::serve answering
// "Hello, World!" (this binary's hidden `serve-hello PORT [DELAY_MS]`), nginx with one worker
// returning the same from its config, aiohttp.web and Node's http. Each starts pinned to the
// server core and listening, or reports why it could not.
#pragma once

#include <cstdint>
#include <string>

#include "peers.hpp"

namespace bench {

// The 13-byte body every server answers with.
inline constexpr const char* kHello = "Hello, World!";

enum class HelloServer { corio, nginx, aiohttp, node };
const char* server_name(HelloServer s);

// Starts it on port (the corio one after delay_ms of server-side sleep per request, the
// others ignore delay_ms). Returns "" when it listens, else why not ("not installed", ...).
std::string start_hello(HelloServer s, Background& bg, uint16_t port, int delay_ms = 0);

// /usr/bin/python3 when it can import `module` (cached per module), else "".
std::string python_with(const std::string& module);
// node when it exists, with NODE_PATH=/usr/share/nodejs where Debian puts `ws`.
std::string node_program();
// The checkout's root (where examples/ lives), found from the binary or the current directory.
std::string source_root();

}  // namespace bench
