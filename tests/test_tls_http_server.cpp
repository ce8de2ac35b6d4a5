// http::serve over TLS (https), met by clients nobody here wrote: curl --cacert (GET, POST, a
// kept-alive connection, a big answer) and Python's http.client; then what a server in front
// of the world must survive: a plain-HTTP client on the TLS port and a client that never says
// anything, after both of which the next client is still served.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "corio/http/server.hpp"
#include "corio/tls.hpp"
#include "net_support.hpp"
#include "support.hpp"
#include "tls_server_support.hpp"

using namespace corio;
using namespace std::chrono_literals;
using corio_test::RunResult;
using corio_test::shared_pki;

namespace {

// 8 MiB that no compression or offset mistake can reproduce by accident.
const std::string& big_body() {
    static const std::string body = [] {
        std::string b(8 << 20, '\0');
        for (size_t i = 0; i < b.size(); ++i) b[i] = char('a' + (i * 7 + i / 4096) % 26);
        return b;
    }();
    return body;
}

// GET /big: 8 MiB; POST /echo: the body back; anything else: the path and the peer, so that a
// test can tell whether requests came over one connection.
Coro<http::Response> answer(http::Request& req) {
    if (req.path() == "/big") co_return http::Response::text(200, big_body());
    if (req.method == "POST") co_return http::Response::text(200, req.body);
    co_return http::Response::text(200, std::string(req.path()) + " " + req.peer + "\n");
}

http::ServerOptions https_options() {
    http::ServerOptions o;
    o.tls = corio_test::server_tls(shared_pki().good);
    return o;
}

std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

std::vector<std::string> curl(std::vector<std::string> args) {
    std::vector<std::string> argv{corio_test::find_program("curl"),
                                  "-s",
                                  "-S",
                                  "--max-time",
                                  "20",
                                  "--cacert",
                                  shared_pki().ca()};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
}

template <class F>
auto run_bounded(F f) {
    return corio::run(wait_for(f(), 50s));
}

// A TLS request from corio's own client: the status line of GET /after.
Coro<std::string> status_line_over_tls(uint16_t port) {
    ConnectOptions o;
    o.tls = tls::client_context({.system_trust = false, .ca_file = shared_pki().ca()});
    Stream s = co_await open_connection("localhost", port, std::move(o));
    s.write("GET /after HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    co_await s.drain();
    std::string line = co_await s.read_until("\r\n");
    co_return line;
}

}  // namespace

TEST_CASE("curl --cacert gets, posts and keeps one connection over https", "[tls][https]") {
    corio_test::ScratchDir dir;
    std::string upload = std::string(300 * 1024, 'u') + "end";
    std::ofstream(dir.path() + "/upload") << upload;
    struct Got {
        RunResult keep, post, big;
    };
    Got got = run_bounded([&]() -> Coro<Got> {
        http::ServerOptions opts = https_options();
        Server server = co_await http::serve(answer, "127.0.0.1", 0, opts);
        std::string base = "https://localhost:" + std::to_string(server.port());
        Got g;
        std::vector<std::string> keep = curl({"-w", "[%{http_code} %{num_connects}]\n",
                                              base + "/one", base + "/two", base + "/three"});
        std::vector<std::string> post =
            curl({"--data-binary", "@" + dir.path() + "/upload", base + "/echo"});
        std::vector<std::string> big =
            curl({"-o", dir.path() + "/big", "-w", "%{http_code} %{size_download}", base + "/big"});
        g.keep = co_await corio_test::run_beside(keep, 30s);
        g.post = co_await corio_test::run_beside(post, 30s);
        g.big = co_await corio_test::run_beside(big, 30s);
        server.close();
        co_await server.wait_closed();
        co_return g;
    });
    INFO(got.keep.output);
    REQUIRE(got.keep.status == 0);
    // Three answers, one TLS connection: curl connected once, and the server saw one peer.
    const std::string& out = got.keep.output;
    REQUIRE_THAT(out, Catch::StartsWith("/one 127.0.0.1:"));
    std::string peer = out.substr(5, out.find('\n') - 5);
    CHECK(out ==
          "/one " + peer + "\n[200 1]\n/two " + peer + "\n[200 0]\n/three " + peer + "\n[200 0]\n");
    REQUIRE(got.post.status == 0);
    CHECK(got.post.output == upload);
    REQUIRE(got.big.status == 0);
    CHECK(got.big.output == "200 " + std::to_string(big_body().size()));
    CHECK(slurp(dir.path() + "/big") == big_body());
}

TEST_CASE("Python's http.client talks https to http::serve on one connection", "[tls][https]") {
    const char* script = R"PY(
import http.client, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[1])
c = http.client.HTTPSConnection("localhost", int(sys.argv[2]), context=ctx, timeout=20)
for path in ("/a", "/b"):
    c.request("GET", path)
    r = c.getresponse()
    print(r.status, r.read().decode().strip())
c.request("POST", "/echo", body=b"x" * 100000)
r = c.getresponse()
print(r.status, len(r.read()))
print("ALPN", c.sock.selected_alpn_protocol(), c.sock.version())
c.close()
)PY";
    RunResult r = run_bounded([&]() -> Coro<RunResult> {
        http::ServerOptions opts = https_options();
        Server server = co_await http::serve(answer, "127.0.0.1", 0, opts);
        std::vector<std::string> argv{"/usr/bin/python3", "-c", script, shared_pki().ca(),
                                      std::to_string(server.port())};
        RunResult got = co_await corio_test::run_beside(argv, 30s);
        server.close();
        co_await server.wait_closed();
        co_return got;
    });
    INFO(r.output);
    REQUIRE(r.status == 0);
    std::istringstream lines(r.output);
    std::string a, b, post, alpn;
    std::getline(lines, a);
    std::getline(lines, b);
    std::getline(lines, post);
    std::getline(lines, alpn);
    REQUIRE_THAT(a, Catch::StartsWith("200 /a 127.0.0.1:"));
    CHECK(b == "200 /b " + a.substr(7));  // the same peer: one connection
    CHECK(post == "200 100000");
    // Python offers no ALPN unless asked: none was chosen, and TLS 1.3 was.
    CHECK(alpn == "ALPN None TLSv1.3");
}

TEST_CASE("a plain-HTTP client on the https port is dropped and the next client is served",
          "[tls][https]") {
    std::string report;
    std::tuple<std::string, bool, std::string> got;
    report = corio_test::capture_stderr([&] {
        got = run_bounded([&]() -> Coro<std::tuple<std::string, bool, std::string>> {
            http::ServerOptions opts = https_options();
            Server server = co_await http::serve(answer, "127.0.0.1", 0, opts);
            Stream plain = co_await open_connection("127.0.0.1", server.port());
            plain.write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
            co_await plain.drain();
            // The server answers with a TLS alert at most, never with HTTP, then ends.
            std::string answer_bytes;
            bool ended = false;
            try {
                for (;;) {
                    std::string part = co_await wait_for(plain.read(), 10s);
                    if (part.empty()) break;
                    answer_bytes += part;
                }
                ended = true;
            } catch (const ConnectionError&) {
                ended = true;  // a reset is an end too
            }
            std::string next = co_await status_line_over_tls(server.port());
            server.close();
            co_await server.wait_closed();
            co_return std::tuple{answer_bytes, ended, next};
        });
    });
    auto [answer_bytes, ended, next] = got;
    CHECK(ended);
    CHECK(answer_bytes.find("HTTP/") == std::string::npos);
    CHECK(next == "HTTP/1.1 200 OK\r\n");
    CHECK(report.empty());  // scanners must not flood the log
}

TEST_CASE("a client that never starts the TLS handshake is dropped after handshake_timeout",
          "[tls][https]") {
    auto [ended, during, after, next] =
        run_bounded([&]() -> Coro<std::tuple<bool, size_t, size_t, std::string>> {
            http::ServerOptions opts = https_options();
            opts.tcp.handshake_timeout = 300ms;
            Server server = co_await http::serve(answer, "127.0.0.1", 0, opts);
            Stream silent = co_await open_connection("127.0.0.1", server.port());
            co_await sleep(50ms);
            size_t during = server.active_connections();
            bool ended = false;
            try {
                std::string got = co_await wait_for(silent.read(), 10s);
                ended = got.empty();
            } catch (const ConnectionError&) {
                ended = true;
            }
            for (int i = 0; i < 100 && server.active_connections() > 0; ++i) co_await sleep(10ms);
            size_t after = server.active_connections();
            std::string next = co_await status_line_over_tls(server.port());
            server.close();
            co_await server.wait_closed();
            co_return std::tuple{ended, during, after, next};
        });
    CHECK(during == 1);
    CHECK(ended);
    CHECK(after == 0);
    CHECK(next == "HTTP/1.1 200 OK\r\n");
}

TEST_CASE("http::ServerOptions::tls wins over tcp.tls, and tcp.tls alone serves https too",
          "[tls][https]") {
    auto [via_tcp, via_both] = run_bounded([&]() -> Coro<std::pair<std::string, std::string>> {
        http::ServerOptions only_tcp;
        only_tcp.tcp.tls = corio_test::server_tls(shared_pki().good);
        Server a = co_await http::serve(answer, "127.0.0.1", 0, only_tcp);
        std::string first = co_await status_line_over_tls(a.port());
        a.close();
        // The client trusts only the test CA: the unknown-CA certificate in tcp.tls would fail.
        http::ServerOptions both = https_options();
        both.tcp.tls = corio_test::server_tls(shared_pki().unknown_ca);
        Server b = co_await http::serve(answer, "127.0.0.1", 0, both);
        std::string second = co_await status_line_over_tls(b.port());
        b.close();
        co_await a.wait_closed();
        co_await b.wait_closed();
        co_return std::pair{first, second};
    });
    CHECK(via_tcp == "HTTP/1.1 200 OK\r\n");
    CHECK(via_both == "HTTP/1.1 200 OK\r\n");
}
