// The per-connection part of ws::ServerOptions and ws::ConnectOptions (both flat, as users
// write them with designated initializers), taken out as a ConnectionOptions. Internal.
#pragma once

#include "corio/ws/connection.hpp"

namespace corio::ws::detail {

template <class Options>
ConnectionOptions connection_options(const Options& o) {
    return ConnectionOptions{.max_message_size = o.max_message_size,
                             .max_fragments = o.max_fragments,
                             .ping_interval = o.ping_interval,
                             .ping_timeout = o.ping_timeout,
                             .close_timeout = o.close_timeout,
                             .max_queue = o.max_queue,
                             .write_high = o.write_high};
}

}  // namespace corio::ws::detail
