// Which platform calls this build uses, one macro per concern, chosen at build time from what the
// system declares (libuv's src/unix keeps the same choices beside its kernel files). Layer 1:
// included by the reactor's and net's platform files only; names no corio type.
//
// CORIO_FORCE_PORTABLE (make check-portable) takes the POSIX path of every concern even on Linux,
// so that the non-Linux code is compiled, and can be run, here.
#pragma once

#include <fcntl.h>
#include <sys/socket.h>

// A counter fd for wake-ups (Linux, FreeBSD 13); elsewhere a non-blocking pipe.
#if __has_include(<sys/eventfd.h>) && !defined(CORIO_FORCE_PORTABLE)
#define CORIO_HAVE_EVENTFD 1
#endif

// socket(2) and accept4(2) taking SOCK_NONBLOCK | SOCK_CLOEXEC (Linux, the BSDs); elsewhere
// (macOS) fcntl(2) after the call. The flags and accept4 arrived together on every system.
#if defined(SOCK_NONBLOCK) && defined(SOCK_CLOEXEC) && !defined(CORIO_FORCE_PORTABLE)
#define CORIO_HAVE_SOCK_FLAGS 1
#endif

// Writing to a socket whose peer is gone must return EPIPE, not raise SIGPIPE: a per-call flag
// (MSG_NOSIGNAL: Linux, the BSDs) or a per-socket option (SO_NOSIGPIPE: macOS).
#if defined(SO_NOSIGPIPE) && (defined(CORIO_FORCE_PORTABLE) || !defined(MSG_NOSIGNAL))
#define CORIO_HAVE_SO_NOSIGPIPE 1
#elif !defined(MSG_NOSIGNAL)
#error "corio needs MSG_NOSIGNAL or SO_NOSIGPIPE to keep SIGPIPE away from socket writes"
#endif

// poll(2) with a nanosecond timespec (Linux, the BSDs); macOS has only poll(2)'s milliseconds.
#if (defined(__linux__) || defined(__FreeBSD__) || defined(__NetBSD__) || defined(__OpenBSD__) || \
     defined(__DragonFly__)) &&                                                                   \
    !defined(CORIO_FORCE_PORTABLE)
#define CORIO_HAVE_PPOLL 1
#endif

// epoll_pwait2 (nanosecond epoll timeouts) is declared from glibc 2.35; older C libraries get
// epoll_wait's milliseconds. The kernel may still lack it: poller_epoll.cpp checks ENOSYS.
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 35))
#define CORIO_HAVE_EPOLL_PWAIT2 1
#endif
