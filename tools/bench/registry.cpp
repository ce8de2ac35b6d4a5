// The registries behind CORIO_BENCH and CORIO_BENCH_COMMAND and the command line's settings,
// kept out of main.cpp so the tests of the bench's parts (tests/test_bench_*.cpp) link them.
#include "bench.hpp"

namespace bench {

std::vector<Group>& registry() {
    static std::vector<Group> groups;
    return groups;
}

Registrar::Registrar(const char* group, BenchFn fn) { registry().push_back({group, fn}); }

std::vector<Command>& commands() {
    static std::vector<Command> list;
    return list;
}

CommandRegistrar::CommandRegistrar(const char* name, CommandFn fn) {
    commands().push_back({name, fn});
}

Settings& settings() {
    static Settings s;
    return s;
}

}  // namespace bench
