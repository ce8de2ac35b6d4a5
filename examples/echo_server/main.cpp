// echo_server: a corio TCP echo server, for the benchmark and as an example of one loop per
// thread sharing a port (--threads N uses SO_REUSEPORT). Layer 7.
//   echo_server [--host 127.0.0.1] [--port 0] [--threads 1]
// Prints "listening on HOST:PORT" once it accepts connections.
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

#include "echo.hpp"

int main(int argc, char** argv) {
    std::string host = "127.0.0.1";
    int port = 0;
    int threads = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--host")) {
            host = argv[i + 1];
        } else if (!std::strcmp(argv[i], "--port")) {
            port = std::atoi(argv[i + 1]);
        } else if (!std::strcmp(argv[i], "--threads")) {
            threads = std::atoi(argv[i + 1]);
        } else {
            std::fprintf(stderr, "usage: echo_server [--host H] [--port P] [--threads N]\n");
            return 2;
        }
    }
    // Many idle connections are the point of some runs: allow as many descriptors as we may.
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    try {
        return echo::serve(host, static_cast<uint16_t>(port), threads, [&](uint16_t p) {
            std::printf("listening on %s:%u\n", host.c_str(), p);
            std::fflush(stdout);
        });
    } catch (const std::exception& e) {
        std::fprintf(stderr, "echo_server: %s\n", e.what());
        return 1;
    }
}
