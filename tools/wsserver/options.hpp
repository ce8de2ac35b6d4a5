// wsserver's command line (a contract: scripts and the benchmark call it with these flags).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace wsserver {

struct Options {
    std::string host = "127.0.0.1";
    uint16_t port = 8765;
    size_t max_size = 1024 * 1024;
    std::chrono::milliseconds ping_interval = std::chrono::seconds(20);
    std::chrono::milliseconds ping_timeout = std::chrono::seconds(20);
    size_t max_connections = 0;
    unsigned threads = 1;
    // wss: both given or neither (PEM files: the certificate with its chain, the private key).
    std::string cert_file;
    std::string key_file;
    bool quiet = false;
    bool help = false;
};

// A bad command line; what() is the message to print before the usage hint (exit code 2).
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Parses argv[1..]; "--flag value" and "--flag=value" both work. Throws UsageError.
Options parse_options(const std::vector<std::string>& args);

// The --help text.
const char* usage();

}  // namespace wsserver
