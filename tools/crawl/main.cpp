// crawl: the command-line entry point. Parses the arguments and hands over to the engine.
// (Work in progress: the engine lands with the HTTP client.)
#include <cstdio>

int main() {
    std::fputs("crawl: not built yet\n", stderr);
    return 1;
}
