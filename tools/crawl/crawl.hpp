// Running one crawl: the sinks, the input reader thread, one engine per --threads on its own
// loop thread, and a supervising loop on the calling thread that handles Ctrl-C, flushes
// output, draws the progress line and writes the summary.
#pragma once

#include <stdexcept>

#include "options.hpp"

namespace crawl {

// A file or directory named on the command line that cannot be used: exit code 2.
class SetupError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Runs the crawl; returns the exit code: 0 when every line has error null, else 1.
int run_crawl(const Options& options);

}  // namespace crawl
