// `make bench`: runs the registered benchmark groups --rounds times (default 3) and prints the
// median of each row with its min and max, as a table or as JSON (--json), with the machine
// named. `bench GROUP` (core, timers, threads, concurrency, tcp, http, https, crawl, ws; all is the
// default) and --only SUBSTRING pick groups. Medians because these machines are shared and noisy.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <string>
#include <vector>

#include "bench.hpp"
#include "peers.hpp"

namespace {

const char* kUsage =
    "usage: bench [core|timers|threads|concurrency|tcp|http|https|crawl|ws|all] [--json]\n"
    "             [--rounds N] [--only SUBSTRING] [--requests N] [--concurrency N]\n"
    "             [--latency-ms MS] [--huge]\n"
    "  GROUP           run the groups whose name starts with it (default: all)\n"
    "  --rounds N      rounds per group; each row shows its median, min and max (default 3)\n"
    "  --only S        only the groups whose name contains S\n"
    "  --requests N    URLs of the crawl group (default 1000); the client group fetches 10x N\n"
    "  --concurrency N requests in flight for the http, client and crawl groups (default 100)\n"
    "  --latency-ms MS server-side delay of the crawl group's slow server (default 50)\n"
    "  --huge          crawl group: also a 1,000,000-URL list, for peak RSS (minutes)\n"
    "  --json          JSON instead of a table\n";

struct Series {
    std::string group;
    std::string unit;
    std::string target;
    std::vector<double> values;  // the measured rounds; none when the row was always missing
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

bool positive(const char* text, int& out) {
    char* end = nullptr;
    long v = std::strtol(text, &end, 10);
    if (!*text || *end || v < 1 || v > 100000000) return false;
    out = static_cast<int>(v);
    return true;
}

bool starts_group(const std::string& name, const std::string& group) {
    if (group.empty() || group == "all") return true;
    return name.rfind(group, 0) == 0 &&
           (name.size() == group.size() || name[group.size()] == ':' || name[group.size()] == ' ');
}

std::string now_utc() {
    std::time_t t = std::time(nullptr);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", std::gmtime(&t));
    return buf;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 2) {
        for (const auto& c : bench::commands()) {
            if (std::strcmp(argv[1], c.name) == 0) return c.fn({argv + 2, argv + argc});
        }
    }
    int rounds = 3;
    bool json = false;
    std::string only, group;
    bench::Settings& set = bench::settings();
    for (int i = 1; i < argc; ++i) {
        bool has_value = i + 1 < argc;
        bool ok = true;
        if (!std::strcmp(argv[i], "--json")) {
            json = true;
        } else if (!std::strcmp(argv[i], "--huge")) {
            set.huge = true;
        } else if (!std::strcmp(argv[i], "--rounds") && has_value) {
            ok = positive(argv[++i], rounds);
        } else if (!std::strcmp(argv[i], "--requests") && has_value) {
            ok = positive(argv[++i], set.requests);
        } else if (!std::strcmp(argv[i], "--concurrency") && has_value) {
            ok = positive(argv[++i], set.concurrency);
        } else if (!std::strcmp(argv[i], "--latency-ms") && has_value) {
            ok = positive(argv[++i], set.latency_ms);
        } else if (!std::strcmp(argv[i], "--only") && has_value) {
            only = argv[++i];
        } else if (argv[i][0] != '-' && group.empty()) {
            group = argv[i];
        } else {
            ok = false;
        }
        if (!ok) {
            std::fprintf(stderr, "bench: bad argument '%s'\n%s", argv[i], kUsage);
            return 2;
        }
    }
    std::vector<bench::Group> groups;
    for (const auto& g : bench::registry()) {
        if (!starts_group(g.name, group)) continue;
        if (!only.empty() && std::string(g.name).find(only) == std::string::npos) continue;
        groups.push_back(g);
    }
    if (groups.empty()) {
        std::fprintf(stderr, "bench: no group matches '%s'\n%s", group.c_str(), kUsage);
        return 2;
    }
    std::sort(groups.begin(), groups.end(), [](const bench::Group& a, const bench::Group& b) {
        return std::strcmp(a.name, b.name) < 0;
    });
    std::string machine_before = bench::machine_description();
    std::vector<std::string> order;
    std::map<std::string, Series> rows;
    for (const auto& g : groups) {
        std::fprintf(stderr, "running %s (%d rounds)...\n", g.name, rounds);
        for (int r = 0; r < rounds; ++r) {
            bench::Report report;
            g.fn(report);
            for (auto& row : report) {
                auto [it, fresh] = rows.try_emplace(row.name);
                if (fresh) order.push_back(row.name);
                it->second.group = g.name;
                // A missing row's unit says why; a measured round's unit wins over it.
                if (std::isnan(row.value)) {
                    if (it->second.values.empty()) it->second.unit = row.unit;
                    continue;
                }
                it->second.unit = row.unit;
                it->second.target = row.target;
                it->second.values.push_back(row.value);
            }
        }
    }
    // The load average before and after: the reader judges how quiet the machine was.
    std::string machine = machine_before + ", after: " + bench::machine_description();
    if (json) {
        std::printf("{\"machine\": \"%s\", \"date\": \"%s\", \"results\": [\n",
                    json_escape(machine).c_str(), now_utc().c_str());
        for (size_t i = 0; i < order.size(); ++i) {
            const Series& s = rows[order[i]];
            std::printf("  {\"group\": \"%s\", \"name\": \"%s\", ", json_escape(s.group).c_str(),
                        json_escape(order[i]).c_str());
            if (s.values.empty()) {
                std::printf("\"median\": null, \"missing\": \"%s\"", json_escape(s.unit).c_str());
            } else {
                auto [lo, hi] = std::minmax_element(s.values.begin(), s.values.end());
                std::printf(
                    "\"median\": %.6g, \"min\": %.6g, \"max\": %.6g, \"rounds\": %zu, "
                    "\"unit\": \"%s\", \"target\": \"%s\"",
                    median(s.values), *lo, *hi, s.values.size(), json_escape(s.unit).c_str(),
                    json_escape(s.target).c_str());
            }
            std::printf("}%s\n", i + 1 < order.size() ? "," : "");
        }
        std::printf("]}\n");
        return 0;
    }
    std::printf("machine: %s\ndate: %s\n", machine.c_str(), now_utc().c_str());
    std::printf("%-58s %12s %12s %12s  %-22s %s\n", "benchmark", "median", "min", "max", "unit",
                "target");
    std::string last_group;
    for (const auto& name : order) {
        const Series& s = rows[name];
        if (s.group != last_group) {
            std::printf("-- %s\n", s.group.c_str());
            last_group = s.group;
        }
        if (s.values.empty()) {
            std::printf("%-58s %12s %12s %12s  %s\n", name.c_str(), "missing", "-", "-",
                        s.unit.c_str());
            continue;
        }
        auto [lo, hi] = std::minmax_element(s.values.begin(), s.values.end());
        std::printf("%-58s %12.2f %12.2f %12.2f  %-22s %s\n", name.c_str(), median(s.values), *lo,
                    *hi, s.unit.c_str(), s.target.c_str());
    }
    return 0;
}
