// crawl: fetch URLs concurrently and write one JSON line per URL (see --help). main only
// parses the command line and maps failures to exit codes: 2 for usage, 1 for failed URLs.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "crawl.hpp"
#include "options.hpp"

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);  // a closed stdout shows up as a failed write instead
    std::vector<std::string> args(argv + 1, argv + argc);
    crawl::Options options;
    try {
        options = crawl::parse_options(args, [](const char* name) -> std::optional<std::string> {
            const char* v = std::getenv(name);
            if (!v) return std::nullopt;
            return std::string(v);
        });
    } catch (const crawl::UsageError& e) {
        std::fprintf(stderr, "crawl: %s\n", e.what());
        return 2;
    }
    if (options.help) {
        std::fputs(crawl::help_text(), stdout);
        return 0;
    }
    try {
        return crawl::run_crawl(options);
    } catch (const crawl::SetupError& e) {
        std::fprintf(stderr, "crawl: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "crawl: %s\n", e.what());
        return 1;
    }
}
