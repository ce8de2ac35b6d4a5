// The per-host frontier (see frontier.hpp for the invariants).
#include "frontier.hpp"

#include <cassert>

namespace crawl {

namespace {

// Where the authority starts (just past the scheme's "://"), or npos. A scan by hand: this runs
// a few times per URL, and string_view::find("://") costs several times more.
size_t authority_at(std::string_view url) {
    for (size_t i = 0; i < url.size(); ++i) {
        char c = url[i];
        if (c == ':') {
            return url.size() - i >= 3 && url[i + 1] == '/' && url[i + 2] == '/'
                       ? i + 3
                       : std::string_view::npos;
        }
        if (c == '/' || c == '?' || c == '#') break;
    }
    return std::string_view::npos;
}

// Where the authority that starts at `from` ends: at '/' or '?' (or '#' too, when hash), or at
// the end of url.
size_t authority_end(std::string_view url, size_t from, bool hash) {
    for (size_t i = from; i < url.size(); ++i) {
        char c = url[i];
        if (c == '/' || c == '?' || (hash && c == '#')) return i;
    }
    return url.size();
}

}  // namespace

std::string_view url_target(std::string_view url) {
    size_t at = authority_at(url);
    if (at == std::string_view::npos) return "/";
    size_t end = authority_end(url, at, false);
    return end == url.size() ? std::string_view("/") : url.substr(end);
}

std::string_view url_origin(std::string_view url) {
    size_t at = authority_at(url);
    if (at == std::string_view::npos) return {};
    return url.substr(0, authority_end(url, at, true));
}

Host* Frontier::host_for(std::string_view origin) {
    auto it = hosts_.find(origin);
    if (it == hosts_.end()) {
        auto h = std::make_unique<Host>();
        h->origin = std::string(origin);
        if (!policy_.robots) h->robots_state = Host::RobotsState::Ready;
        it = hosts_.emplace(h->origin, std::move(h)).first;
    }
    return it->second.get();
}

// The host is found before item moves anywhere: origin may point into item.url.
void Frontier::push(std::string_view origin, Item&& item) {
    enqueue(host_for(origin), std::move(item));
}

void Frontier::push(Item item) { push(url_origin(item.url), std::move(item)); }

void Frontier::enqueue(Host* h, Item&& item) {
    h->queue.push_back(std::move(item));
    ++queued_;
    make_ready(h);
}

void Frontier::make_ready(Host* h) {
    if (h->in_ready || h->in_delayed || h->queue.empty()) return;
    if (h->robots_state == Host::RobotsState::Fetching) return;
    h->in_ready = true;
    ready_.push_back(h);
}

Frontier::Pick Frontier::pick(int64_t now) {
    last_now_ = now;
    while (!delayed_.empty() && delayed_.top().first <= now) {
        Host* h = delayed_.top().second;
        delayed_.pop();
        h->in_delayed = false;
        make_ready(h);
    }
    while (!ready_.empty()) {
        Host* h = ready_.front();
        ready_.pop_front();
        h->in_ready = false;
        if (h->queue.empty()) continue;
        if (policy_.per_host && h->active >= policy_.per_host) continue;  // release() re-readies
        if (h->robots_state == Host::RobotsState::Unknown) {
            h->robots_state = Host::RobotsState::Fetching;
            ++h->active;
            return {Pick::FetchRobots, {}, h, 0};
        }
        if (h->robots_state == Host::RobotsState::Fetching) continue;
        Item item = std::move(h->queue.front());
        h->queue.pop_front();
        --queued_;
        // Without robots.txt (the policy's off), every host allows everything.
        if (policy_.robots && !h->robots.allowed(url_target(item.url))) {
            make_ready(h);
            return {Pick::Disallowed, std::move(item), h, 0};
        }
        if (now < h->next_start_ns) {
            // Not yet: back to the front of its queue, and the host waits in delayed_.
            h->queue.push_front(std::move(item));
            ++queued_;
            h->in_delayed = true;
            delayed_.push({h->next_start_ns, h});
            continue;
        }
        ++h->active;
        h->next_start_ns = now + policy_.delay_ns;
        make_ready(h);  // round-robin: to the back of ready_ if it has more
        return {Pick::Fetch, std::move(item), h, 0};
    }
    if (!delayed_.empty()) return {Pick::Wait, {}, nullptr, delayed_.top().first};
    return {};
}

void Frontier::release(Host* h) {
    assert(h->active > 0);
    --h->active;
    make_ready(h);
    maybe_forget(h, last_now_);
}

void Frontier::robots_ready(Host* h, Robots robots) {
    assert(h->active > 0);
    --h->active;
    h->robots = std::move(robots);
    h->robots_state = Host::RobotsState::Ready;
    make_ready(h);
}

void Frontier::maybe_forget(Host* h, int64_t now) {
    if (h->active || !h->queue.empty() || h->in_ready || h->in_delayed) return;
    if (policy_.robots) return;          // its robots.txt rules are worth keeping
    if (h->next_start_ns > now) return;  // its --delay is still running
    hosts_.erase(h->origin);
}

std::vector<Item> Frontier::drain() {
    std::vector<Item> out;
    out.reserve(queued_);
    for (auto& [origin, h] : hosts_) {
        for (Item& i : h->queue) out.push_back(std::move(i));
        h->queue.clear();
    }
    queued_ = 0;
    return out;
}

}  // namespace crawl
