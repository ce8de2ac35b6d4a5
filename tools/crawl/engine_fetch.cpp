// One request of the crawl engine: fetching a page with retries and backoff, taking its links
// (to this engine's frontier, another loop's inbox or the handoff file), and fetching a host's
// robots.txt. The scheduler that starts these tasks is engine.cpp.
#include <chrono>
#include <ctime>

#include "corio/tls.hpp"
#include "engine.hpp"
#include "failure.hpp"
#include "links.hpp"
#include "retry.hpp"
#include "shard.hpp"

namespace crawl {

namespace http = corio::http;
using namespace std::chrono_literals;

corio::Coro<void> Engine::pause(double seconds) {
    // In short steps, so that a Ctrl-C is not kept waiting by a long Retry-After.
    auto end = now() + to_ns(seconds).count();
    while (!stopping_ && now() < end) {
        auto left = std::chrono::nanoseconds(end - now());
        co_await corio::sleep(std::min<std::chrono::nanoseconds>(left, 100ms));
    }
}

corio::Coro<void> Engine::fetch_with_retries(const http::Url& url, FetchResult& res) {
    for (int attempt = 0;; ++attempt) {
        res.retries = attempt;
        res.error = nullptr;
        res.response.reset();
        double wait = -1;
        try {
            res.response.emplace(co_await session_->get(url));
            const http::Response& r = *res.response;
            if (retryable_status(r.status) && attempt < opt_.retries) {
                wait = backoff(attempt + 1, rng_).count();
                if (auto ra = r.headers.get("Retry-After")) {
                    if (auto s = parse_retry_after(*ra, std::time(nullptr))) wait = s->count();
                }
            }
        } catch (const corio::CancelledError&) {
            throw;
        } catch (...) {
            res.response.reset();
            res.error = std::current_exception();
            if (attempt < opt_.retries && classify(res.error).retryable) {
                wait = backoff(attempt + 1, rng_).count();
            }
        }
        if (wait < 0 || stopping_) co_return;
        co_await pause(wait);
        if (stopping_) co_return;
    }
}

corio::Coro<void> Engine::fetch_page(Item item, Host* host) {
    Record r;
    r.depth = item.depth;
    int64_t start = now();
    FetchResult res;
    try {
        // A start URL comes parsed (its parsed.str() is item.url); a link is parsed here.
        const bool parsed = !item.parsed.empty();
        http::Url url = parsed ? std::move(item.parsed) : http::Url::parse(item.url);
        co_await fetch_with_retries(url, res);
        r.retries = res.retries;
        if (res.response) {
            http::Response& resp = *res.response;
            r.status = resp.status;
            if (resp.url.empty() || (parsed && resp.history.empty())) {
                r.final_url = item.url;  // not redirected: the URL asked for, as written
            } else {
                r.final_url = resp.url.str();
            }
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
    int64_t end = now();
    r.elapsed_ms = static_cast<double>(end - start) / 1e6;
    stats_.latency.add(static_cast<uint64_t>(end - start) / 1000);
    r.url = std::move(item.url);
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
            http::Url url = http::Url::parse(host->origin + "/robots.txt");
            co_await fetch_with_retries(url, res);
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
            } catch (const corio::tls::CertificateError&) {
                // The pages would fail the same way: let each say which TLS check failed
                // rather than "robots disallowed".
                rules = Robots::allow_all();
            } catch (const corio::tls::NotTlsError&) {
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

}  // namespace crawl
