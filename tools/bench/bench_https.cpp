// The https client group (issue 13): nginx (one worker, CPU 0) answering "Hello, World!" on a
// plain and a TLS port with a certificate from a CA this group makes; wrk, corio's
// http::ClientSession (this binary's hidden `fetch`) and the seed's aiohttp program each fetch
// from both ports in the same round, keep-alive, on CPU 1. A client's TLS cost per request is
// 1/rate(https) - 1/rate(http); target: corio's within 1.3x of wrk's. The clients trust the CA
// through SSL_CERT_FILE, which OpenSSL's default store (corio's system_trust, Python's default
// SSL context) reads instead of the system bundle.
#include <cmath>
#include <cstdlib>
#include <string>

#include "bench.hpp"
#include "peers.hpp"
#include "servers.hpp"

namespace bench {

namespace {

constexpr int kWrkSeconds = 3;

struct Pki {
    std::string ca, cert, key;  // empty when `openssl` failed
};

bool sh(const std::string& command) {
    return std::system(("cd /tmp && " + command + " >/dev/null 2>&1").c_str()) == 0;
}

// A CA and a P-256 server certificate for 127.0.0.1 and localhost, made by the openssl command.
Pki make_pki(const std::string& dir) {
    const std::string key_opts = " -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
    Pki p{dir + "/ca.pem", dir + "/server.pem", dir + "/server.key"};
    write_file(dir + "/san.ext", "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
    bool ok = sh("openssl req -x509" + key_opts + " -keyout " + dir + "/ca.key -out " + p.ca +
                 " -days 2 -subj /CN=corio-bench-ca -addext basicConstraints=critical,CA:TRUE") &&
              sh("openssl req" + key_opts + " -keyout " + p.key + " -out " + dir +
                 "/server.csr -subj /CN=localhost") &&
              sh("openssl x509 -req -in " + dir + "/server.csr -CA " + p.ca + " -CAkey " + dir +
                 "/ca.key -CAcreateserial -days 2 -extfile " + dir + "/san.ext -out " + p.cert);
    return ok ? p : Pki{};
}

std::string nginx_conf(const std::string& dir, uint16_t plain, uint16_t tls, const Pki& pki) {
    return "daemon off;\nmaster_process off;\nworker_processes 1;\nerror_log stderr;\npid " + dir +
           "/nginx-https.pid;\nevents { worker_connections 20000; }\nhttp {\n"
           "  access_log off;\n  keepalive_requests 100000000;\n  client_body_temp_path " +
           dir + "/body;\n  proxy_temp_path " + dir + "/proxy;\n  fastcgi_temp_path " + dir +
           "/fastcgi;\n  uwsgi_temp_path " + dir + "/uwsgi;\n  scgi_temp_path " + dir +
           "/scgi;\n  server {\n    listen 127.0.0.1:" + std::to_string(plain) +
           ";\n    listen 127.0.0.1:" + std::to_string(tls) + " ssl;\n    ssl_certificate " +
           pki.cert + ";\n    ssl_certificate_key " + pki.key +
           ";\n    ssl_protocols TLSv1.2 TLSv1.3;\n"
           "    location / { default_type text/plain; return 200 \"" +
           kHello + "\"; }\n  }\n}\n";
}

// One client's rates over plain HTTP and over TLS (requests per second, NaN when not run).
struct Pair {
    double http = NAN, https = NAN;
    bool ok() const { return std::isfinite(http) && std::isfinite(https) && http > 0; }
    // Microseconds a request costs more over TLS.
    double tls_cost_us() const { return 1e6 * (1 / https - 1 / http); }
};

double wrk_rate(const std::string& url) {
    std::string wrk = find_program("wrk");
    if (wrk.empty()) return NAN;
    Spawn s{{wrk, "-t1", "-c" + std::to_string(settings().concurrency),
             "-d" + std::to_string(kWrkSeconds), url},
            kClientCpu};
    s.raise_nofile = true;
    Measured m = run_measured(s, kWrkSeconds + 30);
    WrkResult r = parse_wrk(m.out);
    return m.exit_code == 0 && r.rps > 0 && r.errors == 0 ? r.rps : NAN;
}

// A client printing the crawlers' JSON summary ({"ok": K, "seconds": S}): n / seconds when
// every request worked.
double client_rate(Spawn s, size_t n) {
    Measured m = run_measured(s, 300);
    double ok = json_num(m.out, "ok"), seconds = json_num(m.out, "seconds");
    return m.started && seconds > 0 && ok == static_cast<double>(n) ? n / seconds : NAN;
}

void rows(const std::string& name, const Pair& p, Report& out) {
    out.push_back(std::isfinite(p.http) ? Row{name + " http req/s", p.http, "req/s"}
                                        : missing(name + " http req/s", "did not run or failed"));
    out.push_back(std::isfinite(p.https) ? Row{name + " https req/s", p.https, "req/s"}
                                         : missing(name + " https req/s", "did not run or failed"));
    if (p.ok()) out.push_back({name + " TLS cost per request", p.tls_cost_us(), "us"});
}

void bench_https_client(Report& out) {
    std::string dir = scratch_dir();
    Pki pki = make_pki(dir);
    if (pki.ca.empty()) {
        out.push_back(missing("https: certificates", "openssl command failed"));
        return;
    }
    std::string nginx = find_program("nginx");
    if (nginx.empty()) {
        out.push_back(missing("https: nginx server", "nginx not installed"));
        return;
    }
    uint16_t plain = free_port(), tls = free_port();
    std::string conf = dir + "/nginx-https.conf";
    write_file(conf, nginx_conf(dir, plain, tls, pki));
    Background server;
    Spawn ns{{nginx, "-e", "stderr", "-p", dir, "-c", conf}, kServerCpu};
    ns.raise_nofile = true;
    if (!server.start(ns, plain) || !wait_listening(tls)) {
        out.push_back(missing("https: nginx server", "nginx did not start"));
        return;
    }
    const std::string http_url = "http://127.0.0.1:" + std::to_string(plain) + "/";
    const std::string https_url = "https://127.0.0.1:" + std::to_string(tls) + "/";
    const std::string trust = "SSL_CERT_FILE=" + pki.ca;

    Pair wrk{wrk_rate(http_url), wrk_rate(https_url)};
    rows("wrk", wrk, out);

    // Three times the client group's requests, so that the 100 full handshakes weigh little.
    const size_t n = static_cast<size_t>(settings().requests) * 30;
    const std::string c = std::to_string(settings().concurrency);
    auto corio_run = [&](const std::string& url) {
        return client_rate(
            Spawn{{self_exe(), "fetch", url, std::to_string(n), c}, kClientCpu, {trust}}, n);
    };
    Pair corio{corio_run(http_url), corio_run(https_url)};
    rows("corio ClientSession", corio, out);

    std::string py = python_with("aiohttp");
    Pair aiohttp;
    if (!py.empty()) {
        auto aiohttp_run = [&](const std::string& url) {
            std::string list = dir + "/https-urls.txt";
            std::string text;
            for (size_t i = 0; i < n; ++i) text += url + "\n";
            write_file(list, text);
            return client_rate(
                Spawn{{py, source_root() + "/examples/seed_crawler.py", list}, kClientCpu, {trust}},
                n);
        };
        aiohttp = {aiohttp_run(http_url), aiohttp_run(https_url)};
    }
    rows("aiohttp ClientSession", aiohttp, out);

    if (corio.ok() && wrk.ok()) {
        out.push_back({"corio TLS cost / wrk TLS cost", corio.tls_cost_us() / wrk.tls_cost_us(),
                       "ratio", "<= 1.3"});
    }
    if (corio.ok() && aiohttp.ok()) {
        out.push_back({"corio / aiohttp https req/s", corio.https / aiohttp.https, "ratio"});
    }
}

}  // namespace

CORIO_BENCH("https: client, keep-alive GETs from nginx over TLS and plain", bench_https_client);

}  // namespace bench
