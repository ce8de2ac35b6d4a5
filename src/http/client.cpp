// ClientSession's public face and the request's outer steps: the total timeout and the
// redirect chain. One exchange on a connection is client_exchange.cpp.
#include <chrono>
#include <utility>

#include "client_session.hpp"
#include "corio/timeout.hpp"
#include "redirect.hpp"

namespace corio::http {

namespace detail {

namespace {

PoolOptions pool_options(const ClientOptions& o) {
    return PoolOptions{
        .limit = o.limit, .limit_per_host = o.limit_per_host, .keepalive = o.keepalive_timeout};
}

bool same_origin(const Url& a, const Url& b) {
    return a.scheme() == b.scheme() && a.host() == b.host() && a.port() == b.port();
}

}  // namespace

std::string ms_text(std::chrono::nanoseconds d) {
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

SessionCore::SessionCore(ClientOptions o) : options(std::move(o)), pool(pool_options(options)) {
    limits.max_header_bytes = options.max_header_size;
    limits.max_line = std::min<size_t>(limits.max_line, options.max_header_size);
    limits.max_body = options.max_body_size;
    options_error_ = options_error(options);
}

Coro<Response> SessionCore::fetch(std::shared_ptr<SessionCore> self, Outgoing req) {
    auto total = self->options.timeout.total;
    Response r;
    if (total.count() <= 0) {
        co_await self->follow(req, r);
        co_return r;
    }
    try {
        co_await wait_for(self->follow(req, r), total);
    } catch (const LabelledTimeout&) {
        throw;
    } catch (const TimeoutError&) {
        throw TimeoutError("total timeout: " + req.url.str() + " took more than " + ms_text(total));
    }
    co_return r;
}

Coro<void> SessionCore::follow(Outgoing& req, Response& r) {
    RedirectChain chain(options.max_redirects);
    std::vector<Url> history;
    for (;;) {
        co_await exchange(req, r);
        std::optional<std::string_view> location;
        if (options.follow_redirects && is_redirect(r.status)) location = r.headers.get("Location");
        if (!location) {
            r.url = std::move(req.url);
            r.history = std::move(history);
            co_return;
        }
        Url next = req.url.resolve(*location);
        FollowUp f = follow_up(r.status, req.method);
        std::string method(f.method);
        if (history.empty()) chain.next(req.method, req.url.normalized().str());
        chain.next(method, next.normalized().str());
        if (!f.keep_body) {
            req.body.clear();
            req.content_type.clear();
            req.headers.remove("Content-Type");
        }
        if (!same_origin(req.url, next)) {
            // Credentials go only to the origin they were given for (as browsers and requests).
            req.headers.remove("Authorization");
            req.headers.remove("Cookie");
        }
        req.headers.remove("Host");
        history.push_back(std::move(req.url));
        req.url = std::move(next);
        req.method = std::move(method);
        r = Response{};  // the next hop's answer is filled in afresh
    }
}

}  // namespace detail

namespace {

Url parse_or_keep(std::string_view s) { return Url::parse(s); }

Coro<Response> start(const std::shared_ptr<detail::SessionCore>& core, std::string_view method,
                     Url url, Headers headers, std::string body, std::string content_type) {
    return detail::SessionCore::fetch(
        core, detail::Outgoing{std::string(method), std::move(url), std::move(headers),
                               std::move(body), std::move(content_type)});
}

// A URL string is parsed when the request runs, so a bad one throws from co_await as in aiohttp.
Coro<Response> start_text(std::shared_ptr<detail::SessionCore> core, std::string method,
                          std::string url, Headers headers, std::string body,
                          std::string content_type) {
    co_return co_await start(core, method, parse_or_keep(url), std::move(headers), std::move(body),
                             std::move(content_type));
}

}  // namespace

ClientSession::ClientSession() : ClientSession(ClientOptions{}) {}

ClientSession::ClientSession(ClientOptions options)
    : core_(std::make_shared<detail::SessionCore>(std::move(options))) {}

ClientSession::~ClientSession() { core_->pool.close(); }

Coro<Response> ClientSession::get(std::string_view url) { return request("GET", url); }
Coro<Response> ClientSession::get(const Url& url) { return request("GET", url); }
Coro<Response> ClientSession::head(std::string_view url) { return request("HEAD", url); }
Coro<Response> ClientSession::head(const Url& url) { return request("HEAD", url); }

Coro<Response> ClientSession::post(std::string_view url, std::string body,
                                   std::string content_type) {
    return start_text(core_, "POST", std::string(url), {}, std::move(body),
                      std::move(content_type));
}

Coro<Response> ClientSession::post(const Url& url, std::string body, std::string content_type) {
    return start(core_, "POST", url, {}, std::move(body), std::move(content_type));
}

Coro<Response> ClientSession::request(std::string_view method, std::string_view url,
                                      Headers headers, std::string body) {
    return start_text(core_, std::string(method), std::string(url), std::move(headers),
                      std::move(body), {});
}

Coro<Response> ClientSession::request(std::string_view method, const Url& url, Headers headers,
                                      std::string body) {
    return start(core_, method, url, std::move(headers), std::move(body), {});
}

Coro<void> ClientSession::close() {
    core_->pool.close();
    co_return;
}

bool ClientSession::closed() const noexcept { return core_->pool.closed(); }
const ClientOptions& ClientSession::options() const noexcept { return core_->options; }
size_t ClientSession::connections_opened() const noexcept { return core_->connections_opened; }

}  // namespace corio::http
