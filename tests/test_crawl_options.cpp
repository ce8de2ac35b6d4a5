// crawl's command line: defaults, every value form, and the usage errors (exit code 2 comes from
// main; here the UsageError and its message).
#include <catch2/catch.hpp>
#include <map>

#include "../tools/crawl/options.hpp"
#include "corio/http/client.hpp"

using crawl::Options;
using crawl::UsageError;

namespace {

Options parse(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
    return crawl::parse_options(args, [env](const char* name) -> std::optional<std::string> {
        auto it = env.find(name);
        if (it == env.end()) return std::nullopt;
        return it->second;
    });
}

std::string usage_error(std::vector<std::string> args,
                        std::map<std::string, std::string> env = {}) {
    try {
        parse(std::move(args), std::move(env));
    } catch (const UsageError& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("crawl options have the documented defaults", "[crawl][options]") {
    Options o = parse({"http://a.test/"});
    REQUIRE(o.urls == std::vector<std::string>{"http://a.test/"});
    REQUIRE(o.concurrency == 100);
    REQUIRE(o.per_host == 0);
    REQUIRE(o.timeout == 30);
    REQUIRE(o.retries == 2);
    REQUIRE(o.depth == 0);
    REQUIRE(o.same_host);
    REQUIRE_FALSE(o.ignore_robots);
    REQUIRE(o.shard_index == 0);
    REQUIRE(o.shard_count == 1);
    REQUIRE(o.threads == 1);
    REQUIRE_FALSE(o.fail_on_http_error);
}

TEST_CASE("crawl options take values in every form", "[crawl][options]") {
    Options o = parse({"-c",
                       "7",
                       "--per-host=3",
                       "--timeout",
                       "1.5",
                       "--connect-timeout=0.25",
                       "-H",
                       "X-A: 1",
                       "--header=X-B:  two",
                       "-i",
                       "-",
                       "--depth",
                       "2",
                       "--max-pages",
                       "10",
                       "--delay",
                       "0.1",
                       "-oout.jsonl",
                       "--save",
                       "dir",
                       "--any-host",
                       "--ignore-robots",
                       "-q",
                       "--fail-on-http-error",
                       "--retries",
                       "0",
                       "--threads",
                       "4",
                       "--user-agent",
                       "bot/2"});
    REQUIRE(o.concurrency == 7);
    REQUIRE(o.per_host == 3);
    REQUIRE(o.timeout == 1.5);
    REQUIRE(o.connect_timeout == 0.25);
    REQUIRE(o.headers.size() == 2);
    REQUIRE(o.headers[0] == std::pair<std::string, std::string>{"X-A", "1"});
    REQUIRE(o.headers[1] == std::pair<std::string, std::string>{"X-B", "two"});
    REQUIRE(o.input == "-");
    REQUIRE(o.depth == 2);
    REQUIRE(o.max_pages == 10);
    REQUIRE(o.delay == 0.1);
    REQUIRE(o.output == "out.jsonl");
    REQUIRE(o.save_dir == "dir");
    REQUIRE_FALSE(o.same_host);
    REQUIRE(o.ignore_robots);
    REQUIRE(o.quiet);
    REQUIRE(o.fail_on_http_error);
    REQUIRE(o.retries == 0);
    REQUIRE(o.threads == 4);
    REQUIRE(o.user_agent == "bot/2");
}

TEST_CASE("crawl --shard takes K/N, or auto/N with K from JOB_COMPLETION_INDEX",
          "[crawl][options]") {
    Options o = parse({"--shard", "2/3", "--handoff", "h.jsonl", "http://a.test/"});
    REQUIRE(o.shard_index == 2);
    REQUIRE(o.shard_count == 3);
    REQUIRE(o.handoff == "h.jsonl");
    o = parse({"--shard=auto/5", "http://a.test/"}, {{"JOB_COMPLETION_INDEX", "4"}});
    REQUIRE(o.shard_index == 4);
    REQUIRE(o.shard_count == 5);
    REQUIRE(usage_error({"--shard", "3/3", "http://a/"}).find("--shard K") != std::string::npos);
    REQUIRE(usage_error({"--shard", "auto/3", "http://a/"}).find("JOB_COMPLETION_INDEX") !=
            std::string::npos);
    REQUIRE(usage_error({"--shard", "auto/3", "http://a/"}, {{"JOB_COMPLETION_INDEX", "x"}})
                .find("'x'") != std::string::npos);
    REQUIRE(usage_error({"--shard", "1", "http://a/"}).find("K/N") != std::string::npos);
    REQUIRE(usage_error({"--shard", "0/0", "http://a/"}).find("--shard N") != std::string::npos);
    REQUIRE(usage_error({"--handoff", "h", "http://a/"}).find("--shard") != std::string::npos);
}

TEST_CASE("crawl usage errors name what is wrong", "[crawl][options]") {
    REQUIRE(usage_error({}).find("no URL") != std::string::npos);
    REQUIRE(usage_error({"--bogus", "http://a/"}).find("unknown option '--bogus'") !=
            std::string::npos);
    REQUIRE(usage_error({"http://a/", "-c"}).find("-c needs a value") != std::string::npos);
    REQUIRE(usage_error({"-c", "0", "http://a/"}).find("-c: expected a whole number") !=
            std::string::npos);
    REQUIRE(usage_error({"-c", "12x", "http://a/"}).find("'12x'") != std::string::npos);
    REQUIRE(usage_error({"--timeout", "-1", "http://a/"}).find("--timeout") != std::string::npos);
    REQUIRE(usage_error({"--timeout", "nan", "http://a/"}).find("--timeout") != std::string::npos);
    REQUIRE(usage_error({"--retries", "", "http://a/"}).find("--retries") != std::string::npos);
    REQUIRE(usage_error({"-H", "NoColon", "http://a/"}).find("--header") != std::string::npos);
    REQUIRE(usage_error({"-H", "A: b\r\nX: y", "http://a/"}).find("line breaks") !=
            std::string::npos);
    REQUIRE(usage_error({"--quiet=yes", "http://a/"}).find("takes no value") != std::string::npos);
}

TEST_CASE("crawl --help needs no URL and -- ends the options", "[crawl][options]") {
    REQUIRE(parse({"--help"}).help);
    REQUIRE(parse({"-h"}).help);
    Options o = parse({"--", "-weird-but-positional"});
    REQUIRE(o.urls == std::vector<std::string>{"-weird-but-positional"});
    std::string help = crawl::help_text();
    REQUIRE(help.find("--fail-on-http-error") != std::string::npos);
    REQUIRE(help.find("Examples") != std::string::npos);
}

TEST_CASE("crawl --cacert and --insecure reach the client's options", "[crawl][options]") {
    Options plain = parse({"https://a/"});
    REQUIRE(plain.cacert.empty());
    REQUIRE_FALSE(plain.insecure);
    Options o = parse({"--cacert", "/dev/null", "--insecure", "https://a/"});
    REQUIRE(o.cacert == "/dev/null");
    REQUIRE(o.insecure);
    REQUIRE(parse({"--cacert=/dev/null", "https://a/"}).cacert == "/dev/null");
    corio::http::ClientOptions c;
    crawl::apply_tls(o, c);
    REQUIRE(c.ca_file == "/dev/null");
    REQUIRE(c.insecure);
    REQUIRE(c.system_trust);  // --cacert adds to the system store, it does not replace it
    REQUIRE(usage_error({"--cacert", "/no/such/ca.pem", "https://a/"}) ==
            "--cacert: cannot read '/no/such/ca.pem'");
    REQUIRE(usage_error({"https://a/", "--cacert"}) == "--cacert needs a value");
    REQUIRE(usage_error({"--insecure=1", "https://a/"}) == "--insecure takes no value");
    std::string help = crawl::help_text();
    REQUIRE(help.find("--cacert FILE") != std::string::npos);
    REQUIRE(help.find("--insecure          https: INSECURE") != std::string::npos);
}
