// The crawl frontier of one loop: URLs waiting, grouped by host so that politeness holds
// (--per-host requests at once, --delay between starts to one host, robots.txt first), and
// handed out round-robin over the hosts that may go now. Pure bookkeeping, no I/O: the engine
// asks pick() what to do next and reports back with release() and robots_ready().
//
// Invariants: a host is in ready_ at most once (in_ready) and only with items queued; a host in
// delayed_ is not in ready_; a host whose robots.txt is being fetched is in neither, and goes
// back to ready_ when robots_ready() is called. queued() is the sum of the hosts' queues.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "corio/http/url.hpp"
#include "robots.hpp"

namespace crawl {

struct Item {
    std::string url;  // normalised absolute URL
    int depth = 0;
    // url parsed, when whoever queued it had it at hand (start URLs: their reader parsed them
    // to route them), so that the fetch need not parse it again; empty otherwise.
    // Invariant: when not empty, parsed.str() == url.
    corio::http::Url parsed{};
};

struct Host {
    enum class RobotsState { Unknown, Fetching, Ready };

    std::string origin;  // "scheme://authority": the robots.txt scope
    std::deque<Item> queue;
    size_t active = 0;          // requests in flight (robots.txt included)
    int64_t next_start_ns = 0;  // no request starts before (--delay)
    RobotsState robots_state = RobotsState::Unknown;
    Robots robots;
    bool in_ready = false;
    bool in_delayed = false;
};

class Frontier {
public:
    struct Policy {
        size_t per_host = 0;   // 0: no limit
        int64_t delay_ns = 0;  // between request starts to one host
        bool robots = false;   // fetch and obey robots.txt first
    };
    explicit Frontier(Policy p) : policy_(p) {}

    // Queues item under origin ("http://host:port", the robots.txt scope). origin may point
    // into item.url: item is moved only once the host is found.
    void push(std::string_view origin, Item&& item);
    // The same, under the origin of item.url (url_origin).
    void push(Item item);

    struct Pick {
        enum Kind {
            Fetch,        // fetch item (host->active was raised: call release() after)
            Disallowed,   // item is disallowed by robots.txt: report it, nothing to release
            FetchRobots,  // fetch host's robots.txt (active raised), then robots_ready()
            Wait,         // nothing may start before wake_ns (a --delay)
            Idle,         // nothing queued that may start (or nothing at all)
        };
        Kind kind = Idle;
        Item item;
        Host* host = nullptr;
        int64_t wake_ns = 0;
    };
    Pick pick(int64_t now_ns);

    void release(Host* host);
    void robots_ready(Host* host, Robots robots);

    size_t queued() const noexcept { return queued_; }
    size_t hosts() const noexcept { return hosts_.size(); }
    // Empties every queue (Ctrl-C, --max-pages) and returns what was queued.
    std::vector<Item> drain();

private:
    Host* host_for(std::string_view origin);  // found or made
    void enqueue(Host* h, Item&& item);
    void make_ready(Host* h);
    // Forgets a host that has nothing queued or running, when nothing about it needs keeping
    // (no robots.txt rules, no delay still to honour): memory stays flat over a long list of
    // distinct hosts.
    void maybe_forget(Host* h, int64_t now_ns);

    // Looks hosts up by string_view, without making a string per push.
    struct OriginHash {
        using is_transparent = void;
        size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };

    Policy policy_;
    std::unordered_map<std::string, std::unique_ptr<Host>, OriginHash, std::equal_to<>> hosts_;
    std::deque<Host*> ready_;
    using Timed = std::pair<int64_t, Host*>;
    std::priority_queue<Timed, std::vector<Timed>, std::greater<Timed>> delayed_;
    size_t queued_ = 0;
    int64_t last_now_ = 0;
};

// Where the path starts in a normalised absolute URL ("http://h/p?q" -> "/p?q").
std::string_view url_target(std::string_view url);

// "scheme://authority" of a normalised absolute URL ("http://h:81/p" -> "http://h:81"), as
// origin_of() gives it for the parsed URL; "" when url has no "://".
std::string_view url_origin(std::string_view url);

}  // namespace crawl
