// Text and SVG renderings of the demo's figures. The seed's own numbers stand beside ours so
// the reader sees both; the words under the table are computed from this run, not written in
// advance, so they stay true on another machine.
#include "table.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <vector>

namespace demo {

namespace {

std::string fmt(const char* f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

std::string duration_text(double ns) {
    if (ns < 1000) return fmt("%.0f ns", ns);
    if (ns < 1e6) return fmt("%.1f us", ns / 1000);
    return fmt("%.2f ms", ns / 1e6);
}

std::string cell(const Crawler& c, bool time) {
    if (!c.ran) return "-";
    return time ? fmt("%.2f s", c.seconds) : fmt("%.1f MiB", c.peak_mib);
}

// Word-wraps text to width columns, the first line behind first, the others behind rest.
std::string wrap(const std::string& text, size_t width, const std::string& first,
                 const std::string& rest) {
    std::string out, line = first;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t sp = text.find(' ', pos);
        std::string word = text.substr(pos, sp == std::string::npos ? std::string::npos : sp - pos);
        if (line.size() + word.size() > width && line.size() > rest.size()) {
            out += line + "\n";
            line = rest;
        } else if (line.size() > rest.size() && line != first) {
            line += ' ';
        }
        line += word;
        pos = sp == std::string::npos ? text.size() : sp + 1;
    }
    return out + line + "\n";
}

std::string pad(std::string s, size_t w) {
    if (s.size() < w) s.append(w - s.size(), ' ');
    return s;
}

}  // namespace

std::string describe_machine() {
    std::string model = "unknown CPU";
    std::ifstream cpu("/proc/cpuinfo");
    for (std::string line; std::getline(cpu, line);) {
        if (line.rfind("model name", 0) == 0) {
            model = line.substr(line.find(':') + 2);
            break;
        }
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return std::to_string(cores) + (cores == 1 ? " core, " : " cores, ") + model;
}

std::string draw_table(const Figures& f) {
    std::string out;
    out += "  machine: " + f.machine + "\n";
    out += "  task: " + std::to_string(f.pages) + " pages, " + std::to_string(f.latency_ms) +
           " ms of server latency each, " + std::to_string(f.concurrency) + " at a time\n\n";
    const size_t w0 = 26, w = 15;
    out += "  " + pad("", w0);
    for (const auto& c : f.crawlers) out += pad(c.name, w);
    out += pad("seed: asyncio", w) + "seed: threads\n";
    out += "  " + pad(std::to_string(f.pages) + " requests, time", w0);
    for (const auto& c : f.crawlers) out += pad(cell(c, true), w);
    out += pad("12.3 s", w) + "45.7 s\n";
    out += "  " + pad("peak memory (RSS)", w0);
    for (const auto& c : f.crawlers) out += pad(cell(c, false), w);
    out += pad("35 MB", w) + "210 MB\n";
    out += "  " + pad("one switch", w0) + pad(duration_text(f.coro_switch_ns), w) +
           pad(duration_text(f.thread_switch_ns), w);
    for (size_t i = 2; i < f.crawlers.size(); ++i) out += pad("", w);
    out += pad("microseconds", w) + "milliseconds\n";
    for (const auto& c : f.crawlers)
        if (!c.ran) out += "  (" + c.name + " did not run: " + c.why_not + ")\n";

    // What the figures say, and where they part from the seed's.
    double bound = static_cast<double>(f.pages) / f.concurrency * f.latency_ms / 1000.0;
    std::vector<std::string> notes;
    const Crawler& corio = f.crawlers[0];
    std::string first = "Any crawler that keeps " + std::to_string(f.concurrency) +
                        " requests in flight needs at least " + fmt("%.2f s", bound) + " here.";
    if (corio.ran)
        first += " corio's crawl took " + fmt("%.2f s", corio.seconds) + ", " +
                 fmt("%.0f%%", (corio.seconds / bound - 1) * 100) + " over that bound.";
    notes.push_back(first);
    if (f.crawlers.size() > 1 && f.crawlers[1].ran && corio.ran) {
        const Crawler& th = f.crawlers[1];
        notes.push_back(
            "The seed's threads were 3.7x slower than asyncio and used 6x its memory. Here " +
            std::to_string(f.concurrency) + " threads take " +
            fmt("%.2fx", th.seconds / corio.seconds) + " corio's time and " +
            fmt("%.2fx", th.peak_mib / std::max(corio.peak_mib, 1e-9)) +
            " its memory: when the server does the waiting, a bounded pool of threads keeps as "
            "many requests in flight, and Linux reserves thread stacks without making them "
            "resident. The seed's gap is not reproduced by this workload; what threads do cost "
            "shows in the switch row, and grows with the number of connections held open.");
    }
    if (f.crawlers.size() > 2 && f.crawlers[2].ran)
        notes.push_back(
            "aiohttp, the seed's own program, took " + fmt("%.2f s", f.crawlers[2].seconds) +
            " (Python's start-up included) and " + fmt("%.1f MiB", f.crawlers[2].peak_mib) + ".");
    notes.push_back("A coroutine switch costs " + duration_text(f.coro_switch_ns) +
                    ", a thread switch " + duration_text(f.thread_switch_ns) + ": " +
                    fmt("%.0fx", f.thread_switch_ns / std::max(f.coro_switch_ns, 1e-9)) +
                    ". The seed's \"microseconds against milliseconds\" is nanoseconds against "
                    "microseconds on this machine; the ratio is what carries over.");
    out += "\n  Reading it:\n";
    for (const auto& n : notes) out += wrap(n, 96, "  - ", "    ");
    return out;
}

std::string draw_svg(const Figures& f) {
    const int width = 720, height = 300, panel = 340, top = 50, bar_h = 160;
    std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width) +
                      "\" height=\"" + std::to_string(height) +
                      "\" font-family=\"sans-serif\" font-size=\"12\">\n";
    svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    svg += "<text x=\"10\" y=\"20\" font-size=\"14\">" + std::to_string(f.pages) + " requests, " +
           std::to_string(f.concurrency) + " at a time, " + std::to_string(f.latency_ms) +
           " ms latency (" + f.machine + ")</text>\n";
    const char* colors[] = {"#2a7ab0", "#c0504d", "#9bbb59"};
    for (int p = 0; p < 2; ++p) {
        bool time = p == 0;
        double max = 0;
        for (const auto& c : f.crawlers)
            if (c.ran) max = std::max(max, time ? c.seconds : c.peak_mib);
        if (max <= 0) max = 1;
        int x0 = 20 + p * panel;
        svg += "<text x=\"" + std::to_string(x0) + "\" y=\"" + std::to_string(top - 8) + "\">" +
               (time ? "wall time (s)" : "peak memory (MiB)") + "</text>\n";
        int i = 0;
        for (const auto& c : f.crawlers) {
            double v = c.ran ? (time ? c.seconds : c.peak_mib) : 0;
            int h = static_cast<int>(v / max * bar_h);
            int x = x0 + i * 100;
            int y = top + bar_h - h;
            svg += "<rect x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y) +
                   "\" width=\"70\" height=\"" + std::to_string(h) + "\" fill=\"" + colors[i % 3] +
                   "\"/>\n";
            svg += "<text x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y - 4) + "\">" +
                   (c.ran ? fmt(time ? "%.2f" : "%.1f", v) : std::string("n/a")) + "</text>\n";
            svg += "<text x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(top + bar_h + 16) +
                   "\">" + c.name + "</text>\n";
            ++i;
        }
    }
    svg += "<text x=\"10\" y=\"" + std::to_string(height - 20) + "\">one switch: coroutine " +
           duration_text(f.coro_switch_ns) + ", thread " + duration_text(f.thread_switch_ns) +
           "</text>\n</svg>\n";
    return svg;
}

}  // namespace demo
