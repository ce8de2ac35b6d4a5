/* NOT A REAL PLATFORM HEADER. Force-included by `make check-portable` (with
 * -DCORIO_FORCE_PORTABLE) so that Linux compiles corio's macOS-only paths: it names the one
 * constant those paths use that Linux lacks. The value is macOS's; the objects are never linked
 * or run. */
#ifndef CORIO_STANDIN_PLATFORM_H
#define CORIO_STANDIN_PLATFORM_H
#include <sys/socket.h>
#ifndef SO_NOSIGPIPE
#define SO_NOSIGPIPE 0x1022
#endif
#endif
