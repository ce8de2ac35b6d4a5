// Name resolution beyond getaddrinfo: `localhost` answered without the system resolver
// (RFC 6761 6.3), the connect timeout bounding the lookup, and a lookup that hangs never
// holding a loop's close. A test hook (net/resolver.hpp) stands in for getaddrinfo where a
// resolver must hang or be counted; a child in a private mount namespace with an empty
// /etc/hosts checks `localhost` on a machine without one.
#include <netdb.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "corio/corio.hpp"
#include "net/resolver.hpp"
#include "net_support.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using corio::Coro;
using corio::Stream;
using corio::detail::LookupRequest;
using corio::detail::LookupResult;

namespace {

std::atomic<int> g_lookups{0};
std::atomic<int> g_in_lookup{0};  // hanging lookups not yet returned
corio_test::Gate* g_release = nullptr;

LookupResult counting_lookup(const LookupRequest&) {
    ++g_lookups;
    LookupResult r;
    r.code = EAI_NONAME;
    return r;
}

// A resolver that never answers until the test opens the gate (or 20 s pass).
LookupResult hanging_lookup(const LookupRequest& req) {
    ++g_in_lookup;
    g_release->wait();
    LookupResult r;
    r.addresses = corio::run(corio::resolve("127.0.0.1", req.port));
    --g_in_lookup;
    return r;
}

LookupResult slow_lookup(const LookupRequest& req) {
    std::this_thread::sleep_for(30ms);
    LookupResult r;
    r.addresses = corio::run(corio::resolve("127.0.0.1", req.port));
    return r;
}

// Installs a lookup function for the scope.
struct LookupHook {
    explicit LookupHook(corio::detail::LookupFunction fn) {
        g_lookups = 0;
        corio::detail::set_lookup_function(fn);
    }
    ~LookupHook() { corio::detail::set_lookup_function(nullptr); }
};

std::vector<std::string> names(const std::vector<corio::SocketAddress>& v) {
    std::vector<std::string> out;
    for (const auto& a : v) out.push_back(a.to_string());
    return out;
}

Coro<void> echo_line(Stream s) {
    std::string line = co_await s.read_until("\n");
    s.write(line);
    co_await s.drain();
}

// Both loopback families by name: a server on "localhost" and a client of it.
Coro<void> echo_over_localhost() {
    corio::Server server = co_await corio::start_server(echo_line, "localhost", 0);
    REQUIRE(server.addresses().size() == 2);
    for (auto family : {corio::Family::V4, corio::Family::V6}) {
        corio::ConnectOptions opts;
        opts.family = family;
        Stream s = co_await corio::open_connection("localhost", server.port(), opts);
        s.write("hello\n");
        std::string back = co_await s.read_until("\n");
        REQUIRE(back == "hello\n");
    }
}

}  // namespace

TEST_CASE("localhost and names under .localhost are loopback without a lookup", "[dns]") {
    LookupHook hook(&counting_lookup);
    corio::run([]() -> Coro<void> {
        const std::vector<std::string> both = {"[::1]:80", "127.0.0.1:80"};
        for (std::string host : {"localhost", "LocalHost", "localhost.", "a.localhost",
                                 "x.y.LOCALHOST", "api.localhost."}) {
            INFO(host);
            auto found = co_await corio::resolve(host, 80);
            REQUIRE(names(found) == both);
            auto passive = co_await corio::resolve(host, 80, corio::Family::Any, true);
            REQUIRE(names(passive) == both);
        }
        auto v4 = co_await corio::resolve("localhost", 8080, corio::Family::V4);
        auto v6 = co_await corio::resolve("svc.localhost", 8080, corio::Family::V6);
        REQUIRE(names(v4) == std::vector<std::string>{"127.0.0.1:8080"});
        REQUIRE(names(v6) == std::vector<std::string>{"[::1]:8080"});
        REQUIRE(g_lookups == 0);
        // Look-alikes are ordinary names: they reach the resolver.
        for (std::string host : {"notlocalhost", "localhost.example", "localhostx", ".localhost"}) {
            INFO(host);
            bool failed = co_await corio_test::throws_as<corio::DnsError>(corio::resolve(host, 80));
            REQUIRE(failed);
        }
        REQUIRE(g_lookups == 4);
    }());
}

TEST_CASE("a server and a client on localhost work with the resolver out of reach", "[dns]") {
    LookupHook hook(&counting_lookup);
    corio::run(echo_over_localhost());
    REQUIRE(g_lookups == 0);
}

// Run by the next test inside a mount namespace where /etc/hosts is empty.
TEST_CASE("(child) localhost without /etc/hosts", "[.no_hosts_child]") {
    std::ifstream hosts("/etc/hosts");
    std::string content((std::istreambuf_iterator<char>(hosts)), std::istreambuf_iterator<char>());
    REQUIRE(content.find("localhost") == std::string::npos);
    corio::run(echo_over_localhost());
}

TEST_CASE("localhost works on a machine whose /etc/hosts does not name it", "[dns]") {
    char self[4096];
    ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    REQUIRE(n > 0);
    self[n] = '\0';
    char dir[] = "/tmp/corio-no-hosts-XXXXXX";
    REQUIRE(::mkdtemp(dir) != nullptr);
    std::string empty = std::string(dir) + "/hosts";
    std::ofstream(empty) << "# no entries\n";
    // A user namespace gives the right to mount; the bind mount hides the real /etc/hosts
    // from this child only.
    std::string script = "mount --bind '" + empty + "' /etc/hosts && exec '" + std::string(self) +
                         "' '[.no_hosts_child]'";
    corio_test::Child child({"unshare", "-r", "--mount", "sh", "-c", script});
    std::string out = child.read_all(30s);
    int status = child.wait(30s);
    ::unlink(empty.c_str());
    ::rmdir(dir);
    INFO(out);
    REQUIRE(status == 0);
    REQUIRE(out.find("All tests passed") != std::string::npos);
}

TEST_CASE("the connect timeout bounds a name lookup that hangs, and the loop closes anyway",
          "[dns][connect]") {
    corio_test::Gate release;
    g_release = &release;
    LookupHook hook(&hanging_lookup);
    std::string message;
    corio::run([&]() -> Coro<void> {
        corio::ConnectOptions opts;
        opts.timeout = 100ms;
        try {
            co_await corio::open_connection("hangs.test", 9, opts);
        } catch (const corio::TimeoutError& e) {
            message = e.what();
        }
    }());
    // corio::run has closed its loop while getaddrinfo (the hook) is still blocked.
    REQUIRE(g_in_lookup > 0);
    INFO(message);
    REQUIRE(message.find("hangs.test:9") != std::string::npos);
    REQUIRE(message.find("lookup timed out after 100 ms") != std::string::npos);
    release.open();
    for (int i = 0; i < 2000 && g_in_lookup > 0; ++i) std::this_thread::sleep_for(1ms);
    REQUIRE(g_in_lookup == 0);  // it finished on its thread, and posted to no dead loop
}

TEST_CASE("a loop closed or cancelled with lookups pending does not wait for them", "[dns]") {
    corio_test::Gate release;
    g_release = &release;
    LookupHook hook(&hanging_lookup);
    {
        corio::Loop loop;
        auto pending = loop.create_task(corio::resolve("pending.test", 80));
        auto cancelled = loop.create_task(corio::resolve("cancelled.test", 80));
        loop.run_until_complete(corio_test::after(20ms, 0));
        cancelled.cancel();
        std::string how = loop.run_until_complete(corio_test::outcome(cancelled));
        REQUIRE(how == "cancelled");
        // Destroying the loop abandons `pending` without waiting for its lookup.
        std::string report = corio_test::capture_stderr([&] { loop.close(); });
        REQUIRE(report.find("destroyed but it is pending") != std::string::npos);
        REQUIRE(pending.cancelled());
    }
    REQUIRE(g_in_lookup > 0);
    release.open();
    for (int i = 0; i < 2000 && g_in_lookup > 0; ++i) std::this_thread::sleep_for(1ms);
    REQUIRE(g_in_lookup == 0);
}

TEST_CASE("a lookup in flight keeps a manual clock from jumping past it", "[dns]") {
    LookupHook hook(&slow_lookup);
    corio::ManualClock clock;
    corio::Loop loop{corio::LoopOptions{&clock}};
    auto start = loop.time();
    auto found = loop.run_until_complete(corio::wait_for(corio::resolve("slow.test", 80), 1s));
    REQUIRE(names(found) == std::vector<std::string>{"127.0.0.1:80"});
    REQUIRE(loop.time() - start < 1s);
}

TEST_CASE("many lookups at once all come back", "[dns]") {
    LookupHook hook(&slow_lookup);
    corio::run([]() -> Coro<void> {
        std::vector<Coro<std::vector<corio::SocketAddress>>> all;
        for (int i = 0; i < 40; ++i) all.push_back(corio::resolve("n" + std::to_string(i), 80));
        auto results = co_await corio::gather(std::move(all));
        REQUIRE(results.size() == 40);
        for (const auto& r : results) REQUIRE(names(r) == std::vector<std::string>{"127.0.0.1:80"});
    }());
}
