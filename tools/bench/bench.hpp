// The `make bench` harness: each bench_*.cpp registers its groups with CORIO_BENCH; main.cpp
// runs every group several rounds and prints the median of each row (a table, or --json).
// Helper processes the network groups start (servers, clients) are hidden subcommands.
#pragma once

#include <cmath>
#include <string>
#include <vector>

namespace bench {

struct Row {
    std::string name;
    double value;  // NaN: not measured (a peer that is not installed); shown as "missing"
    std::string unit;
    std::string target = {};  // what the issue asks for, e.g. "< 40", shown beside the median
};
using Report = std::vector<Row>;
using BenchFn = void (*)(Report&);

// A row for a peer program that is not installed (or did not start): shown, not an error.
inline Row missing(std::string name, std::string why) { return {std::move(name), NAN, why}; }

// Registration at static-initialisation time, so adding a benchmark touches no shared file.
struct Registrar {
    Registrar(const char* group, BenchFn fn);
};

struct Group {
    const char* name;
    BenchFn fn;
};
std::vector<Group>& registry();

// What the command line sets for the network groups (the seed's setting by default: 1,000
// requests, 100 in flight; 50 ms of server-side delay for the crawl group's slow row).
struct Settings {
    int requests = 1000;    // URLs of the crawl group (the client group uses 10x this)
    int concurrency = 100;  // in flight at once: wrk -c, crawl -c, client pool
    int latency_ms = 50;    // server-side delay of the crawl group's second server
    bool huge = false;      // --huge: also crawl a 1,000,000-URL list
};
Settings& settings();

// A hidden subcommand (`bench serve-hello PORT ...`): a helper process a group starts, such as
// corio's own HTTP server, so that it runs pinned to its own core and is measured on its own.
using CommandFn = int (*)(const std::vector<std::string>& args);
struct Command {
    const char* name;
    CommandFn fn;
};
std::vector<Command>& commands();
struct CommandRegistrar {
    CommandRegistrar(const char* name, CommandFn fn);
};

}  // namespace bench

#define CORIO_BENCH_CAT2(a, b) a##b
#define CORIO_BENCH_CAT(a, b) CORIO_BENCH_CAT2(a, b)
#define CORIO_BENCH(group, fn) \
    static ::bench::Registrar CORIO_BENCH_CAT(corio_bench_registrar_, __LINE__)(group, fn)
#define CORIO_BENCH_COMMAND(name, fn) \
    static ::bench::CommandRegistrar CORIO_BENCH_CAT(corio_bench_command_, __LINE__)(name, fn)
