// The seed's section-5 table, filled with one run's figures: drawn as text for the terminal
// and, on request, as a small SVG bar chart.
#pragma once

#include <string>
#include <vector>

namespace demo {

struct Crawler {
    std::string name;  // "corio crawl", ...
    bool ran = false;
    std::string why_not;  // when !ran
    int ok = 0, requests = 0;
    double seconds = 0;
    double peak_mib = 0;
};

struct Figures {
    std::string machine;  // "2 cores, AMD EPYC ..."
    int pages = 0, concurrency = 0, latency_ms = 0;
    std::vector<Crawler> crawlers;  // corio first, threads second, aiohttp third
    double coro_switch_ns = 0, thread_switch_ns = 0;
};

// The table and the plain words on how it compares with the seed's.
std::string draw_table(const Figures& f);
// A bar chart (time and memory per crawler) as a standalone SVG document.
std::string draw_svg(const Figures& f);
// "2 cores, <CPU model>".
std::string describe_machine();

}  // namespace demo
