// The crawl engine of one loop (see engine.hpp). run() is a scheduler: it wakes on an Event
// whenever something changed (a request ended, the inbox filled, a --delay passed, a stop
// arrived), starts what the frontier allows up to the concurrency, and sleeps again. Each
// request is its own task (engine_fetch.cpp); the timeout clock starts when that task starts
// the request, never while the URL waits in the frontier.
#include "engine.hpp"

#include <chrono>

namespace crawl {

namespace http = corio::http;

std::chrono::nanoseconds to_ns(double seconds) {
    return std::chrono::nanoseconds(static_cast<int64_t>(seconds * 1e9));
}

std::string origin_of(const http::Url& u) { return u.scheme() + "://" + u.authority(); }

namespace {

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
    apply_tls(o, c);  // --cacert, --insecure
    return c;
}

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
    // Whoever posted in parsed and normalised its URL already (the reader, a link): its origin
    // is the text before the path.
    Item item{std::move(in.url), in.depth, std::move(in.parsed)};
    std::string_view origin = url_origin(item.url);
    if (origin.empty()) {
        Record r;
        r.url = std::move(item.url);
        r.depth = item.depth;
        r.error = "invalid url";
        report(r);
        return;
    }
    frontier_.push(origin, std::move(item));
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
    size_t bound = json_line_bound(r);
    if (line_.size() < bound) line_.resize(bound);
    char* end = write_json_line(line_.data(), r);
    if (!shared_.out->write(
            std::string_view(line_.data(), static_cast<size_t>(end - line_.data()))))
        shared_.stop_all();
    drop_item();
}

// One accepted item is settled: its line is written, or it will never be.
void Engine::drop_item() {
    size_t before = backlog_.fetch_sub(1, std::memory_order_relaxed);
    if (before == backlog_limit_ / 2 + 1) shared_.backlog_cv.notify_one();
    shared_.settle();
}

}  // namespace crawl
