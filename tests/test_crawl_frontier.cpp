// The per-host frontier's politeness, on a clock passed by hand: per-host limits, --delay
// between starts, robots.txt fetched first and obeyed, round-robin over hosts, draining.
#include <catch2/catch.hpp>

#include "../tools/crawl/frontier.hpp"

using crawl::Frontier;
using crawl::Item;
using Kind = Frontier::Pick::Kind;

namespace {

constexpr int64_t kMs = 1'000'000;

Item item(std::string url) { return Item{std::move(url), 0}; }

}  // namespace

TEST_CASE("frontier: round-robin over hosts, each URL handed out once", "[crawl][frontier]") {
    Frontier f(Frontier::Policy{});
    f.push("http://a", item("http://a/1"));
    f.push("http://a", item("http://a/2"));
    f.push("http://b", item("http://b/1"));
    REQUIRE(f.queued() == 3);
    std::vector<std::string> order;
    std::vector<crawl::Host*> hosts;
    for (int i = 0; i < 3; ++i) {
        auto p = f.pick(0);
        REQUIRE(p.kind == Kind::Fetch);
        order.push_back(p.item.url);
        hosts.push_back(p.host);
    }
    REQUIRE(order == std::vector<std::string>{"http://a/1", "http://b/1", "http://a/2"});
    REQUIRE(f.pick(0).kind == Kind::Idle);
    REQUIRE(f.queued() == 0);
    for (auto* h : hosts) f.release(h);
    REQUIRE(f.hosts() == 0);  // nothing to remember: forgotten, memory stays flat
}

TEST_CASE("frontier: --per-host holds a host's next URL until one is released",
          "[crawl][frontier]") {
    Frontier f(Frontier::Policy{.per_host = 1});
    f.push("http://a", item("http://a/1"));
    f.push("http://a", item("http://a/2"));
    f.push("http://b", item("http://b/1"));
    auto first = f.pick(0);
    REQUIRE(first.item.url == "http://a/1");
    REQUIRE(f.pick(0).item.url == "http://b/1");
    REQUIRE(f.pick(0).kind == Kind::Idle);  // a/2 waits for a/1
    f.release(first.host);
    REQUIRE(f.pick(0).item.url == "http://a/2");
}

TEST_CASE("frontier: --delay spaces request starts to one host", "[crawl][frontier]") {
    Frontier f(Frontier::Policy{.delay_ns = 100 * kMs});
    f.push("http://a", item("http://a/1"));
    f.push("http://a", item("http://a/2"));
    f.push("http://b", item("http://b/1"));
    auto a1 = f.pick(0);
    REQUIRE(a1.item.url == "http://a/1");
    REQUIRE(f.pick(1 * kMs).item.url == "http://b/1");  // another host need not wait
    auto wait = f.pick(2 * kMs);
    REQUIRE(wait.kind == Kind::Wait);
    REQUIRE(wait.wake_ns == 100 * kMs);
    REQUIRE(f.queued() == 1);
    REQUIRE(f.pick(99 * kMs).kind == Kind::Wait);
    auto a2 = f.pick(100 * kMs);
    REQUIRE(a2.kind == Kind::Fetch);
    REQUIRE(a2.item.url == "http://a/2");
}

TEST_CASE("frontier: robots.txt is fetched first, then obeyed", "[crawl][frontier]") {
    Frontier f(Frontier::Policy{.robots = true});
    f.push("http://a", item("http://a/ok"));
    f.push("http://a", item("http://a/private/x?y"));
    f.push("http://a", item("http://a/ok2"));
    auto r = f.pick(0);
    REQUIRE(r.kind == Kind::FetchRobots);
    REQUIRE(r.host->origin == "http://a");
    REQUIRE(f.pick(0).kind == Kind::Idle);  // nothing of a's before its robots.txt
    f.push("http://a", item("http://a/more"));
    REQUIRE(f.pick(0).kind == Kind::Idle);
    f.robots_ready(r.host, crawl::Robots::parse("User-agent: *\nDisallow: /private/", "x"));
    REQUIRE(f.pick(0).item.url == "http://a/ok");
    auto d = f.pick(0);
    REQUIRE(d.kind == Kind::Disallowed);
    REQUIRE(d.item.url == "http://a/private/x?y");
    REQUIRE(f.pick(0).item.url == "http://a/ok2");
    REQUIRE(f.pick(0).item.url == "http://a/more");
}

TEST_CASE("frontier: drain empties every queue", "[crawl][frontier]") {
    Frontier f(Frontier::Policy{.per_host = 1});
    for (int i = 0; i < 5; ++i) f.push("http://a", item("http://a/" + std::to_string(i)));
    f.push("http://b", item("http://b/"));
    REQUIRE(f.pick(0).kind == Kind::Fetch);
    auto left = f.drain();
    REQUIRE(left.size() == 5);
    REQUIRE(f.queued() == 0);
    REQUIRE(f.pick(0).kind == Kind::Idle);
}

TEST_CASE("frontier: url_target is the path and query", "[crawl][frontier]") {
    REQUIRE(crawl::url_target("http://h:8080/a/b?c=d") == "/a/b?c=d");
    REQUIRE(crawl::url_target("https://h/") == "/");
    REQUIRE(crawl::url_target("http://h?q") == "?q");
    REQUIRE(crawl::url_target("nonsense") == "/");
}

TEST_CASE("frontier: url_origin is the scheme and authority; push(item) groups by it",
          "[crawl][frontier]") {
    REQUIRE(crawl::url_origin("http://h:8080/a/b?c=d") == "http://h:8080");
    REQUIRE(crawl::url_origin("https://h/") == "https://h");
    REQUIRE(crawl::url_origin("http://h?q") == "http://h");
    REQUIRE(crawl::url_origin("http://[::1]:81/x") == "http://[::1]:81");
    REQUIRE(crawl::url_origin("http://h") == "http://h");
    REQUIRE(crawl::url_origin("nonsense").empty());
    REQUIRE(crawl::url_origin("/a://b").empty());
    REQUIRE(crawl::url_target("http://h/a#f") == "/a#f");

    // Short URLs (kept inside the string object) and long ones: the origin is taken before
    // the item moves.
    Frontier f(Frontier::Policy{1, 0, false});
    f.push(item("http://a/1"));
    f.push(item("http://a/2"));
    f.push(item("http://a-much-longer-host-name.test/1"));
    REQUIRE(f.hosts() == 2);
    auto p1 = f.pick(0), p2 = f.pick(0);
    REQUIRE(p1.host->origin == "http://a");
    REQUIRE(p1.item.url == "http://a/1");
    REQUIRE(p2.host->origin == "http://a-much-longer-host-name.test");
    REQUIRE(f.pick(0).kind == Kind::Idle);  // --per-host 1: a's second waits
    f.release(p1.host);
    REQUIRE(f.pick(0).item.url == "http://a/2");
}
