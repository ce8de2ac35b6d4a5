// TCP socket options whose spelling differs between systems, in one place. Layer 5 platform
// code. Each returns 0 or -errno; an option the system lacks is -ENOPROTOOPT.
#pragma once

namespace corio::detail {

// TCP_NODELAY: segments go out at once (asyncio sets it on every TCP connection).
int set_nodelay(int fd, bool on) noexcept;

// Several listening sockets (one per loop and thread) sharing one port, with the kernel
// spreading connections over them: SO_REUSEPORT on Linux, SO_REUSEPORT_LB on FreeBSD (whose
// SO_REUSEPORT lets them share the port but hands every connection to the last one).
int set_reuse_port(int fd) noexcept;

// Keep-alive probes after idle_s seconds of silence, every interval_s, count times: the idle
// option is TCP_KEEPIDLE (Linux, the BSDs) or TCP_KEEPALIVE (macOS).
int set_keepalive(int fd, int idle_s, int interval_s, int count) noexcept;

}  // namespace corio::detail
