// One loop's crawler: takes URLs from its inbox (the input reader and the other loops post
// there), keeps a per-host frontier, fetches with a ClientSession, follows links, writes one
// JSON line per URL. Hosts are split among engines by thread_of(), so each engine alone owns
// its hosts' politeness, robots.txt and de-duplication.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "corio/corio.hpp"
#include "corio/http/client.hpp"
#include "corio/http/url.hpp"
#include "frontier.hpp"
#include "record.hpp"
#include "seen_set.hpp"
#include "shared.hpp"
#include "stats.hpp"

namespace crawl {

// A URL handed to an engine from another thread: already parsed and normalised, or a start
// line that is not a URL (reported as "invalid url").
struct Incoming {
    std::string url;
    int depth = 0;
    bool invalid = false;
    bool dedup = false;         // check the seen set first (links, and start URLs when following)
    corio::http::Url parsed{};  // url parsed, or empty (see Item::parsed)
};

// Seconds as the loop's nanoseconds; "scheme://authority" of a URL (the robots.txt scope and
// the frontier's host key).
std::chrono::nanoseconds to_ns(double seconds);
std::string origin_of(const corio::http::Url& url);

class Engine {
public:
    Engine(Shared& shared, uint32_t index, size_t concurrency);
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;
    ~Engine();

    // Runs on the calling thread's loop until the crawl is over for this engine.
    corio::Coro<void> run();

    // From any thread. post() returns false once the engine has finished (the item is then
    // not taken: the caller settles it).
    bool post(Incoming in);
    void post_stop();
    void post_finish();

    // Items accepted and not yet written (inbox, frontier, in flight): the reader's
    // back-pressure.
    size_t backlog() const noexcept { return backlog_.load(std::memory_order_relaxed); }
    size_t backlog_limit() const noexcept { return backlog_limit_; }

    // Valid after run() returned.
    const Stats& stats() const noexcept { return stats_; }

private:
    struct FetchResult {
        std::optional<corio::http::Response> response;
        std::exception_ptr error;
        int retries = 0;
    };

    void wake_from_any_thread();
    void pump_inbox();
    void accept(Incoming in);
    void schedule();
    bool over();
    void arm_timer(int64_t wake_ns);
    int64_t now() const;

    corio::Coro<void> fetch_page(Item item, Host* host);
    corio::Coro<void> fetch_robots(Host* host);
    // Fills res (an out-parameter: a Response is large, and moving it costs per request).
    corio::Coro<void> fetch_with_retries(const corio::http::Url& url, FetchResult& res);
    corio::Coro<void> pause(double seconds);
    void follow_links(const corio::http::Url& page, const std::string& link, int depth);
    void report(Record& r);
    void emit(Record& r, bool fetched);
    void drop_item();

    Shared& shared_;
    const Options& opt_;
    const uint32_t index_;
    const size_t concurrency_;
    const size_t backlog_limit_;

    // Loop-thread state.
    corio::Loop* loop_ = nullptr;
    std::unique_ptr<corio::http::ClientSession> session_;
    Frontier frontier_;
    SeenSet seen_;
    Stats stats_;
    corio::Event wake_;
    size_t in_flight_ = 0;
    bool stopping_ = false;
    bool finishing_ = false;
    corio::TimerHandle timer_;
    int64_t timer_at_ = 0;
    std::mt19937_64 rng_;
    std::string product_;
    std::string line_;  // the JSON line being written, reused

    // Shared with other threads, under mu_.
    std::mutex mu_;
    std::vector<Incoming> inbox_;
    bool wake_posted_ = false;
    bool closed_ = false;
    bool stop_posted_ = false;
    bool finish_posted_ = false;
    std::atomic<size_t> backlog_{0};
};

}  // namespace crawl
