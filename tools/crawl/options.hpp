// crawl's command line: every flag the tool accepts, parsed into Options. The flag names, their
// defaults and the exit code of a usage error (2) are a contract that scripts outside this repo
// rely on; parse_options never touches stdout and never exits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace corio::http {
struct ClientOptions;
}

namespace crawl {

// A bad command line: what() is the message for stderr (without the program name).
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Options {
    std::vector<std::string> urls;  // positional URLs, crawled before -i's lines
    std::string input;              // -i FILE; "-" is stdin; "" none
    size_t concurrency = 100;
    size_t per_host = 0;         // 0: no per-host limit
    double timeout = 30;         // seconds, whole request (connect to last body byte)
    double connect_timeout = 0;  // 0: only the total timeout applies
    double read_timeout = 0;     // 0: only the total timeout applies
    int retries = 2;
    std::string user_agent = "corio-crawl/1.0";
    std::vector<std::pair<std::string, std::string>> headers;
    int depth = 0;
    bool same_host = true;  // only follow links to the host a page was fetched from
    size_t max_pages = 0;   // 0: no limit
    double delay = 0;       // seconds between request starts to one host
    bool ignore_robots = false;
    std::string output;  // -o FILE; "" stdout
    std::string save_dir;
    bool quiet = false;
    bool progress = true;  // --no-progress: no progress line even on a terminal
    bool fail_on_http_error = false;
    uint32_t shard_index = 0;
    uint32_t shard_count = 1;
    std::string handoff;  // --handoff FILE
    int threads = 1;
    size_t max_body_size = 10u << 20;
    int max_redirects = 10;
    // https: --cacert FILE adds the PEM CAs in FILE to the system's; --insecure checks nothing.
    std::string cacert;
    bool insecure = false;
    bool help = false;
};

// Reads an environment variable (std::getenv in the program; a map in tests).
using EnvFn = std::function<std::optional<std::string>(const char*)>;

// Parses argv (without the program name). Throws UsageError for anything it cannot use, with
// a message naming the flag: unknown flags, missing or malformed values, no URL at all,
// --shard K/N with K >= N, --shard auto/N without JOB_COMPLETION_INDEX, a --cacert file that
// cannot be read.
Options parse_options(const std::vector<std::string>& args, const EnvFn& env);

// Copies --cacert and --insecure into the HTTP client's options (the system store stays on).
void apply_tls(const Options& options, corio::http::ClientOptions& client);

// The --help text.
const char* help_text();

}  // namespace crawl
