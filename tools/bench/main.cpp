// `make bench`: runs every registered benchmark group --rounds times (default 3) and prints the
// median of each row with its min and max, as a table or as JSON (--json). --only SUBSTRING
// keeps the groups whose name contains it. Medians because these machines are shared and noisy.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "bench.hpp"

namespace bench {

std::vector<Group>& registry() {
    static std::vector<Group> groups;
    return groups;
}

Registrar::Registrar(const char* group, BenchFn fn) { registry().push_back({group, fn}); }

}  // namespace bench

namespace {

struct Series {
    std::string group;
    std::string unit;
    std::string target;
    std::vector<double> values;
};

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string json_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    int rounds = 3;
    bool json = false;
    std::string only;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--json")) {
            json = true;
        } else if (!std::strcmp(argv[i], "--rounds") && i + 1 < argc) {
            rounds = std::max(1, std::atoi(argv[++i]));
        } else if (!std::strcmp(argv[i], "--only") && i + 1 < argc) {
            only = argv[++i];
        } else {
            std::fprintf(stderr, "usage: bench [--json] [--rounds N] [--only SUBSTRING]\n");
            return 2;
        }
    }
    std::vector<std::string> order;
    std::map<std::string, Series> rows;
    auto groups = bench::registry();
    std::sort(groups.begin(), groups.end(), [](const bench::Group& a, const bench::Group& b) {
        return std::strcmp(a.name, b.name) < 0;
    });
    for (const auto& g : groups) {
        if (!only.empty() && std::string(g.name).find(only) == std::string::npos) continue;
        if (!json) std::fprintf(stderr, "running %s (%d rounds)...\n", g.name, rounds);
        for (int r = 0; r < rounds; ++r) {
            bench::Report report;
            g.fn(report);
            for (auto& row : report) {
                auto [it, fresh] = rows.try_emplace(row.name);
                if (fresh) order.push_back(row.name);
                it->second.group = g.name;
                it->second.unit = row.unit;
                it->second.target = row.target;
                it->second.values.push_back(row.value);
            }
        }
    }
    if (json) {
        std::printf("[\n");
        for (size_t i = 0; i < order.size(); ++i) {
            const Series& s = rows[order[i]];
            auto [lo, hi] = std::minmax_element(s.values.begin(), s.values.end());
            std::printf(
                "  {\"group\": \"%s\", \"name\": \"%s\", \"median\": %.6g, \"min\": %.6g, "
                "\"max\": %.6g, \"rounds\": %zu, \"unit\": \"%s\", \"target\": \"%s\"}%s\n",
                json_escape(s.group).c_str(), json_escape(order[i]).c_str(), median(s.values), *lo,
                *hi, s.values.size(), json_escape(s.unit).c_str(), json_escape(s.target).c_str(),
                i + 1 < order.size() ? "," : "");
        }
        std::printf("]\n");
        return 0;
    }
    std::printf("%-58s %12s %12s %12s  %-22s %s\n", "benchmark", "median", "min", "max", "unit",
                "target");
    std::string last_group;
    for (const auto& name : order) {
        const Series& s = rows[name];
        if (s.group != last_group) {
            std::printf("-- %s\n", s.group.c_str());
            last_group = s.group;
        }
        auto [lo, hi] = std::minmax_element(s.values.begin(), s.values.end());
        std::printf("%-58s %12.2f %12.2f %12.2f  %-22s %s\n", name.c_str(), median(s.values), *lo,
                    *hi, s.unit.c_str(), s.target.c_str());
    }
    return 0;
}
