// What every loop of one crawl shares: the options, the output sinks, the counters that decide
// when the crawl is over (outstanding URLs, end of input, Ctrl-C, --max-pages) and the totals
// the progress line shows. Everything here is safe to use from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "options.hpp"
#include "sink.hpp"

namespace crawl {

class Engine;

struct Shared {
    explicit Shared(const Options& o) : options(o) {}

    const Options& options;
    std::unique_ptr<Sink> out;
    std::unique_ptr<Sink> handoff;  // null without --handoff
    std::vector<Engine*> engines;   // one per loop thread, indexed by thread_of()

    // URLs accepted by some engine whose line is not written yet. The crawl is over when it
    // is 0 and the input is done: nothing can make more work then.
    std::atomic<int64_t> outstanding{0};
    std::atomic<bool> input_done{false};
    std::atomic<bool> finished{false};
    // Ctrl-C: no new requests; queued URLs get "interrupted" lines.
    std::atomic<bool> interrupted{false};
    // --max-pages reached, or the output failed: no new requests, no more lines.
    std::atomic<bool> halted{false};
    std::atomic<uint64_t> lines{0};  // lines claimed (--max-pages counts these)
    // Set by stop_all(): the input reader stops reading.
    std::atomic<bool> stop_input{false};

    // Totals for the progress line.
    std::atomic<uint64_t> done{0}, errors{0}, bytes{0};

    // The reader thread waits here while an engine's backlog is full.
    std::mutex backlog_mu;
    std::condition_variable backlog_cv;

    // Claims one output line against --max-pages; false once the limit is reached (and then
    // halts the crawl).
    bool claim_line();
    // One URL less outstanding (its line written, or it was dropped as a duplicate).
    void settle();
    // The input has ended: no more start URLs.
    void end_input();
    // Tells every engine to stop starting requests (Ctrl-C, --max-pages, dead output).
    void stop_all();
    // Posts "the crawl is over" to every engine once outstanding reached 0 after the input.
    void maybe_finish();
};

}  // namespace crawl
