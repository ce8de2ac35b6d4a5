// The crawl engine of one loop (see engine.hpp). run() is a scheduler: it wakes on an Event
// whenever something changed (a request ended, the inbox filled, a --delay passed, a stop
// arrived), starts what the frontier allows up to the concurrency, and sleeps again. Each
// request is its own task; the timeout clock starts when that task starts the request.
#include "engine.hpp"

#include <chrono>
#include <ctime>

#include "failure.hpp"
#include "links.hpp"
#include "retry.hpp"
#include "shard.hpp"

namespace crawl {

namespace http = corio::http;
using namespace std::chrono_literals;

namespace {

std::chrono::nanoseconds to_ns(double seconds) {
    return std::chrono::nanoseconds(static_cast<int64_t>(seconds * 1e9));
}

http::ClientOptions client_options(const Options& o) {
    http::ClientOptions c;
    c.limit = 0;  // the engine bounds requests itself, so none ever waits for a connection
    c.limit_per_host = 0;
    c.timeout.total = to_ns(o.timeout);
    c.timeout.connect = to_ns(o.connect_timeout);
    c.timeout.read = to_ns(o.read_timeout);
    c.max_redirects = static_cast<size_t>(o.max_redirects);
    c.max_body_size = o.max_body_size;
    c.user_agent = o.user_agent;
    for (const auto& [name, value] : o.headers) c.headers.add(name, value);
    return c;
}

std::string origin_of(const http::Url& u) { return u.scheme() + "://" + u.authority(); }

}  // namespace

Engine::Engine(Shared& shared, uint32_t index, size_t concurrency)
    : shared_(shared),
      opt_(shared.options),
      index_(index),
      concurrency_(concurrency),
      backlog_limit_(concurrency * 4 + 64),
      frontier_(Frontier::Policy{shared.options.per_host, to_ns(shared.options.delay).count(),
                                 shared.options.depth > 0 && !shared.options.ignore_robots}),
      rng_(std::random_device{}() ^ index),
      product_(product_token(shared.options.user_agent)) {}

Engine::~Engine() = default;

// ---- cross-thread entry points ----

void Engine::wake_from_any_thread() {
    // mu_ is held. One wake-up is in flight at most; pump_inbox() clears the flag.
    if (wake_posted_ || !loop_) return;
    wake_posted_ = true;
    loop_->call_soon_threadsafe([this] { wake_.set(); });
}

bool Engine::post(Incoming in) {
    std::lock_guard<std::mutex> g(mu_);
    if (closed_) return false;
    backlog_.fetch_add(1, std::memory_order_relaxed);
    inbox_.push_back(std::move(in));
    wake_from_any_thread();
    return true;
}

void Engine::post_stop() {
    std::lock_guard<std::mutex> g(mu_);
    stop_posted_ = true;
    if (!closed_) wake_from_any_thread();
}

void Engine::post_finish() {
    std::lock_guard<std::mutex> g(mu_);
    finish_posted_ = true;
    if (!closed_) wake_from_any_thread();
}

// ---- the scheduler ----

corio::Coro<void> Engine::run() {
    session_ = std::make_unique<http::ClientSession>(client_options(opt_));
    {
        // Other threads read loop_ (under mu_) to post wake-ups; until it is set, what they
        // post waits in the inbox for the first pump.
        std::lock_guard<std::mutex> g(mu_);
        loop_ = &corio::Loop::current();
        wake_posted_ = false;
    }
    for (;;) {
        wake_.clear();
        pump_inbox();
        if (!stopping_) schedule();
        if (over()) break;
        co_await wake_.wait();
    }
    timer_.cancel();
    co_await session_->close();
    session_.reset();  // while its loop still runs
    std::vector<Incoming> late;
    {
        std::lock_guard<std::mutex> g(mu_);
        closed_ = true;
        late.swap(inbox_);
    }
    for (Incoming& in : late) accept(std::move(in));  // after a stop: interrupted lines
}

void Engine::pump_inbox() {
    std::vector<Incoming> batch;
    {
        std::lock_guard<std::mutex> g(mu_);
        batch.swap(inbox_);
        wake_posted_ = false;
        if (stop_posted_) stopping_ = true;
        if (finish_posted_) finishing_ = true;
    }
    for (Incoming& in : batch) accept(std::move(in));
}

void Engine::accept(Incoming in) {
    if (in.invalid) {
        Record r;
        r.url = std::move(in.url);
        r.depth = in.depth;
        r.error = "invalid url";
        report(r);
        return;
    }
    if (in.dedup && !seen_.insert(in.url)) {
        drop_item();
        return;
    }
    if (stopping_) {
        Record r;
        r.url = std::move(in.url);
        r.depth = in.depth;
        r.error = "interrupted";
        if (shared_.interrupted.load())
            emit(r, false);
        else
            drop_item();
        return;
    }
    http::Url u;
    try {
        u = http::Url::parse(in.url);
    } catch (const http::UrlError&) {
        Record r;
        r.url = std::move(in.url);
        r.depth = in.depth;
        r.error = "invalid url";
        report(r);
        return;
    }
    frontier_.push(origin_of(u), Item{std::move(in.url), in.depth});
}

void Engine::schedule() {
    while (in_flight_ < concurrency_ && !stopping_) {
        Frontier::Pick p = frontier_.pick(now());
        switch (p.kind) {
            case Frontier::Pick::Fetch:
                if (!shared_.claim_line()) {
                    frontier_.release(p.host);
                    drop_item();
                    stopping_ = true;
                    return;
                }
                ++in_flight_;
                loop_->create_task(fetch_page(std::move(p.item), p.host));
                break;
            case Frontier::Pick::Disallowed: {
                Record r;
                r.url = std::move(p.item.url);
                r.depth = p.item.depth;
                r.error = "robots disallowed";
                report(r);
                break;
            }
            case Frontier::Pick::FetchRobots:
                ++in_flight_;
                loop_->create_task(fetch_robots(p.host));
                break;
            case Frontier::Pick::Wait:
                arm_timer(p.wake_ns);
                return;
            case Frontier::Pick::Idle:
                return;
        }
    }
}

int64_t Engine::now() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(loop_->time().time_since_epoch())
        .count();
}

void Engine::arm_timer(int64_t wake_ns) {
    if (timer_at_ > now() && timer_at_ <= wake_ns) return;  // one already comes first
    timer_.cancel();
    timer_at_ = wake_ns;
    timer_ = loop_->call_at(corio::Loop::time_point(corio::Loop::duration(wake_ns)),
                            [this] { wake_.set(); });
}

// Whether this engine is done: all work everywhere settled (finishing_), or a stop and
// nothing left running here. After a Ctrl-C, what is still queued is written "interrupted".
bool Engine::over() {
    if (in_flight_ > 0) return false;
    if (stopping_) {
        bool report = shared_.interrupted.load();
        for (Item& item : frontier_.drain()) {
            if (report) {
                Record r;
                r.url = std::move(item.url);
                r.depth = item.depth;
                r.error = "interrupted";
                emit(r, false);
            } else {
                drop_item();
            }
        }
        return true;
    }
    return finishing_ && frontier_.queued() == 0;
}

// ---- one request ----

corio::Coro<void> Engine::pause(double seconds) {
    // In short steps, so that a Ctrl-C is not kept waiting by a long Retry-After.
    auto end = now() + to_ns(seconds).count();
    while (!stopping_ && now() < end) {
        auto left = std::chrono::nanoseconds(end - now());
        co_await corio::sleep(std::min<std::chrono::nanoseconds>(left, 100ms));
    }
}

corio::Coro<Engine::FetchResult> Engine::fetch_with_retries(const http::Url& url) {
    FetchResult res;
    for (int attempt = 0;; ++attempt) {
        res.retries = attempt;
        res.error = nullptr;
        res.response.reset();
        double wait = -1;
        try {
            http::Response r = co_await session_->get(url);
            if (retryable_status(r.status) && attempt < opt_.retries) {
                wait = backoff(attempt + 1, rng_).count();
                if (auto ra = r.headers.get("Retry-After")) {
                    if (auto s = parse_retry_after(*ra, std::time(nullptr))) wait = s->count();
                }
            }
            res.response = std::move(r);
        } catch (const corio::CancelledError&) {
            throw;
        } catch (...) {
            res.error = std::current_exception();
            if (attempt < opt_.retries && classify(res.error).retryable) {
                wait = backoff(attempt + 1, rng_).count();
            }
        }
        if (wait < 0 || stopping_) co_return res;
        co_await pause(wait);
        if (stopping_) co_return res;
    }
}

corio::Coro<void> Engine::fetch_page(Item item, Host* host) {
    Record r;
    r.url = item.url;
    r.depth = item.depth;
    int64_t start = now();
    FetchResult res;
    std::string body;
    try {
        http::Url url = http::Url::parse(item.url);
        res = co_await fetch_with_retries(url);
        r.retries = res.retries;
        if (res.response) {
            http::Response& resp = *res.response;
            r.status = resp.status;
            r.final_url = resp.url.empty() ? item.url : resp.url.str();
            r.bytes = resp.body.size();
            if (auto ct = resp.headers.get("Content-Type")) r.content_type = media_type(*ct);
            if (opt_.fail_on_http_error && resp.status >= 400) {
                r.error = "http " + std::to_string(resp.status);
            }
            if (!opt_.save_dir.empty()) {
                try {
                    r.saved = save_body(opt_.save_dir, item.url, resp.body);
                } catch (const std::exception& e) {
                    r.error = e.what();
                }
            }
            if (r.content_type && is_html(*r.content_type) && resp.ok() &&
                item.depth < opt_.depth && !stopping_) {
                http::Url base = resp.url.empty() ? url : resp.url;
                std::vector<std::string> links = extract_links(resp.body, base);
                r.links = links.size();
                for (const std::string& link : links) {
                    // Same host as the page asked for (its seed's, by induction).
                    follow_links(url, link, item.depth + 1);
                }
            }
        } else {
            r.error = classify(res.error).kind;
        }
    } catch (const corio::CancelledError&) {
        throw;
    } catch (...) {
        r.error = classify(std::current_exception()).kind;
    }
    r.elapsed_ms = static_cast<double>(now() - start) / 1e6;
    stats_.latency.add(static_cast<uint64_t>(now() - start) / 1000);
    frontier_.release(host);
    --in_flight_;
    emit(r, true);
    wake_.set();
}

void Engine::follow_links(const http::Url& page, const std::string& link, int depth) {
    http::Url u;
    try {
        u = http::Url::parse(link);
    } catch (const http::UrlError&) {
        return;
    }
    if (opt_.same_host && u.host() != page.host()) return;
    std::string authority = u.authority();
    if (shard_of(authority, opt_.shard_count) != opt_.shard_index) {
        if (shared_.handoff && seen_.insert(link)) {
            shared_.handoff->write(handoff_line(link, depth, page.str()));
            ++stats_.handed_off;
        }
        return;
    }
    uint32_t t = thread_of(authority, opt_.shard_count, static_cast<uint32_t>(opt_.threads));
    if (t != index_) {
        shared_.outstanding.fetch_add(1);
        if (!shared_.engines[t]->post(Incoming{link, depth, false, true})) shared_.settle();
        return;
    }
    if (!seen_.insert(link)) return;
    shared_.outstanding.fetch_add(1);
    backlog_.fetch_add(1, std::memory_order_relaxed);
    frontier_.push(origin_of(u), Item{link, depth});
}

corio::Coro<void> Engine::fetch_robots(Host* host) {
    Robots rules = Robots::disallow_all();
    if (!stopping_) {
        FetchResult res;
        try {
            res = co_await fetch_with_retries(http::Url::parse(host->origin + "/robots.txt"));
        } catch (const corio::CancelledError&) {
            throw;
        } catch (...) {
            res.error = std::current_exception();
        }
        ++stats_.robots_fetched;
        if (res.response) {
            // RFC 9309 2.3.1: 2xx rules apply; 4xx (and a redirect not followed) allow all;
            // 5xx disallow all.
            int s = res.response->status;
            if (s >= 200 && s < 300)
                rules = Robots::parse(res.response->body, product_);
            else if (s < 500)
                rules = Robots::allow_all();
        } else {
            try {
                std::rethrow_exception(res.error);
            } catch (const http::TooManyRedirects&) {
                rules = Robots::allow_all();  // 2.3.1.2: may be taken as unavailable
            } catch (const http::TlsUnavailable&) {
                // Not the server's doing: let each page report "TLS not built in" itself.
                rules = Robots::allow_all();
            } catch (...) {
                // Unreachable: 2.3.1.4 says assume complete disallow.
            }
        }
    }
    frontier_.robots_ready(host, std::move(rules));
    --in_flight_;
    wake_.set();
}

// ---- output ----

// A line for a URL that was not fetched (invalid, disallowed), counted against --max-pages.
void Engine::report(Record& r) {
    if (shared_.claim_line()) {
        emit(r, false);
    } else {
        drop_item();
        stopping_ = true;
    }
}

void Engine::emit(Record& r, bool fetched) {
    ++stats_.urls;
    if (fetched) ++stats_.requests;
    stats_.bytes += r.bytes;
    stats_.retries += static_cast<uint64_t>(r.retries);
    if (r.status && *r.status >= 100 && *r.status < 600) ++stats_.status_classes[*r.status / 100];
    if (r.error) {
        ++stats_.errors[*r.error];
        shared_.errors.fetch_add(1, std::memory_order_relaxed);
    } else {
        ++stats_.ok;
    }
    shared_.done.fetch_add(1, std::memory_order_relaxed);
    shared_.bytes.fetch_add(r.bytes, std::memory_order_relaxed);
    shared_.out->write(to_json_line(r));
    if (!shared_.out->ok()) shared_.stop_all();
    drop_item();
}

// One accepted item is settled: its line is written, or it will never be.
void Engine::drop_item() {
    size_t before = backlog_.fetch_sub(1, std::memory_order_relaxed);
    if (before == backlog_limit_ / 2 + 1) shared_.backlog_cv.notify_one();
    shared_.settle();
}

}  // namespace crawl
