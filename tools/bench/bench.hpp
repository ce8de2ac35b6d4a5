// The `make bench` harness: each bench_*.cpp registers its groups with CORIO_BENCH; main.cpp
// runs every group several rounds and prints the median of each row (a table, or --json).
#pragma once

#include <string>
#include <vector>

namespace bench {

struct Row {
    std::string name;
    double value;
    std::string unit;
    std::string target = {};  // what the issue asks for, e.g. "< 40", shown beside the median
};
using Report = std::vector<Row>;
using BenchFn = void (*)(Report&);

// Registration at static-initialisation time, so adding a benchmark touches no shared file.
struct Registrar {
    Registrar(const char* group, BenchFn fn);
};

struct Group {
    const char* name;
    BenchFn fn;
};
std::vector<Group>& registry();

}  // namespace bench

#define CORIO_BENCH_CAT2(a, b) a##b
#define CORIO_BENCH_CAT(a, b) CORIO_BENCH_CAT2(a, b)
#define CORIO_BENCH(group, fn) \
    static ::bench::Registrar CORIO_BENCH_CAT(corio_bench_registrar_, __LINE__)(group, fn)
