// crawl split over shards and threads: three processes given the same seed, feeding each
// other's --handoff files back in rounds, fetch every page of a three-host site exactly once
// and each on the shard its host hashes to; --threads 3 fetches the same pages as one thread.
#include <catch2/catch.hpp>
#include <mutex>

#include "../tools/crawl/shard.hpp"
#include "corio/corio.hpp"
#include "corio/http/url.hpp"
#include "crawl_support.hpp"

using namespace crawl_test;
namespace http = corio::http;

namespace {

constexpr int kDepth = 3;

// Three servers of one site: page /t<d>-<id>.html links to its three children, the child
// c = id*3+j living on server c % 3, down to depth kDepth. A tree: every page has one parent,
// so each is discovered exactly once whichever shard finds it.
struct ThreeHostSite {
    std::mutex mu;
    std::vector<uint16_t> ports;
    std::vector<std::unique_ptr<TestServer>> servers;

    ThreeHostSite() {
        // Keep starting servers until three of them hash to three different shards.
        std::vector<std::unique_ptr<TestServer>> spare;
        std::set<uint32_t> shards;
        for (int tries = 0; tries < 60 && servers.size() < 3; ++tries) {
            auto s = std::make_unique<TestServer>(
                [this](http::Request& req) { return answer(std::string(req.path())); });
            uint32_t k = crawl::shard_of("127.0.0.1:" + std::to_string(s->port()), 3);
            if (shards.insert(k).second) {
                std::lock_guard<std::mutex> g(mu);
                ports.push_back(s->port());
                servers.push_back(std::move(s));
            } else {
                spare.push_back(std::move(s));
            }
        }
        REQUIRE(servers.size() == 3);
    }

    std::string page(int server, int depth, long id) {
        std::lock_guard<std::mutex> g(mu);
        return "http://127.0.0.1:" + std::to_string(ports.at(static_cast<size_t>(server))) + "/t" +
               std::to_string(depth) + "-" + std::to_string(id) + ".html";
    }

    corio::Coro<http::Response> answer(std::string path) {
        int d = 0;
        long id = 0;
        if (std::sscanf(path.c_str(), "/t%d-%ld.html", &d, &id) != 2) {
            co_return http::Response::not_found();
        }
        std::string html = "<title>" + path + "</title>";
        for (int j = 0; d < kDepth && j < 3; ++j) {
            long c = id * 3 + j;
            html += "<a href=\"" + page(static_cast<int>(c % 3), d + 1, c) + "\">c</a>";
        }
        co_return http::Response::text(200, html, "text/html");
    }

    // Every page URL with its depth.
    std::map<std::string, int> all_pages() {
        std::map<std::string, int> out;
        long width = 1;
        for (int d = 0; d <= kDepth; ++d, width *= 3) {
            for (long id = 0; id < width; ++id) out[page(static_cast<int>(id % 3), d, id)] = d;
        }
        return out;
    }
};

uint32_t shard_of_url(const std::string& url) {
    return crawl::shard_of(http::Url::parse(url).authority(), 3);
}

}  // namespace

TEST_CASE("crawl --shard K/3 over three processes covers every page exactly once",
          "[crawl][shard]") {
    ThreeHostSite site;
    auto expected = site.all_pages();
    REQUIRE(expected.size() == 40);
    TempDir dir;
    std::map<std::string, uint32_t> fetched_by;
    std::string input = site.page(0, 0, 0) + "\n";
    int handoffs = 0;
    for (int round = 0; round < 6 && !input.empty(); ++round) {
        std::string next_input;
        for (uint32_t k = 0; k < 3; ++k) {
            std::string handoff = dir.file("h" + std::to_string(round) + "-" + std::to_string(k));
            CrawlResult r =
                run_crawl({"--depth", std::to_string(kDepth), "--any-host", "--shard",
                           std::to_string(k) + "/3", "--handoff", handoff, "-i", "-", "-q"},
                          input);
            INFO("round " << round << " shard " << k << "\n" << r.out << r.err);
            REQUIRE(r.status == 0);
            for (auto& l : parse_json_lines(r.out)) {
                REQUIRE(fetched_by.count(l["url"]) == 0);  // never twice, anywhere
                REQUIRE(shard_of_url(l["url"]) == k);      // on its host's shard
                REQUIRE(l["depth"] == std::to_string(expected.at(l["url"])));
                fetched_by[l["url"]] = k;
            }
            std::string h = read_file(handoff);
            for (auto& l : parse_json_lines(h)) {
                REQUIRE(shard_of_url(l["url"]) != k);  // handed to another shard
                REQUIRE(l["depth"] == std::to_string(expected.at(l["url"])));
                REQUIRE(shard_of_url(l["from"]) == k);
                ++handoffs;
            }
            next_input += h;
        }
        input = next_input;
    }
    REQUIRE(input.empty());  // the rounds ran out of work
    REQUIRE(handoffs > 0);
    REQUIRE(fetched_by.size() == expected.size());
    for (auto& [url, d] : expected) REQUIRE(fetched_by.count(url) == 1);
}

TEST_CASE("crawl --shard auto/N reads K from JOB_COMPLETION_INDEX", "[crawl][shard]") {
    ThreeHostSite site;
    std::string seed = site.page(0, 0, 0);
    uint32_t owner = shard_of_url(seed);
    setenv("JOB_COMPLETION_INDEX", std::to_string(owner).c_str(), 1);
    CrawlResult mine = run_crawl({"--shard", "auto/3", seed});
    setenv("JOB_COMPLETION_INDEX", std::to_string((owner + 1) % 3).c_str(), 1);
    CrawlResult other = run_crawl({"--shard", "auto/3", seed});
    unsetenv("JOB_COMPLETION_INDEX");
    REQUIRE(mine.status == 0);
    REQUIRE(parse_json_lines(mine.out).size() == 1);
    REQUIRE(other.status == 0);
    REQUIRE(other.out.empty());  // not this shard's host: nothing to do
}

TEST_CASE("crawl --threads 3 fetches the same pages as one thread, each once", "[crawl][threads]") {
    ThreeHostSite site;
    auto expected = site.all_pages();
    for (const char* threads : {"1", "3"}) {
        CrawlResult r = run_crawl({"--depth", std::to_string(kDepth), "--any-host", "--threads",
                                   threads, "-c", "6", site.page(0, 0, 0)});
        INFO(threads << " threads\n" << r.err);
        REQUIRE(r.status == 0);
        std::set<std::string> seen;
        for (auto& l : parse_json_lines(r.out)) {
            REQUIRE(seen.insert(l["url"]).second);
            REQUIRE(l["status"] == "200");
            REQUIRE(l["depth"] == std::to_string(expected.at(l["url"])));
        }
        REQUIRE(seen.size() == expected.size());
    }
}
