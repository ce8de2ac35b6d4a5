// Real HTTP peers for the client tests (see http_peer_support.hpp). Each peer runs as a child
// process killed by its destructor; the tests wait for its port instead of sleeping.
#include "http_peer_support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace corio_test {

namespace fs = std::filesystem;

TempDir::TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "corio-http-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

std::string TempDir::write(const std::string& rel, const std::string& data) const {
    fs::path p = fs::path(path_) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << data;
    return p.string();
}

uint16_t free_port() {
    uint16_t port = 0;
    int fd = raw_listen(port, 1);
    ::close(fd);
    return port;
}

bool wait_listening(uint16_t port, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
        ::close(fd);
        if (ok) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

std::string NginxPeer::index_html() {
    std::string s = "<!doctype html><title>corio</title>\n";
    for (int i = 0; i < 200; ++i) s += "<p>paragraph " + std::to_string(i) + " of the index</p>\n";
    return s;
}

std::string NginxPeer::big_text() {
    std::string s;
    s.reserve(1 << 20);
    for (int i = 0; s.size() < (1 << 20); ++i) s += "line " + std::to_string(i) + "\n";
    s.resize(1 << 20);
    return s;
}

NginxPeer::NginxPeer(const std::string& extra) {
    const std::string d = dir_.path();
    dir_.write("site/index.html", index_html());
    dir_.write("site/page.txt", "a plain page\n");
    dir_.write("site/empty.txt", "");
    dir_.write("site/big.txt", big_text());
    for (int i = 0; i < 1000; ++i) {
        dir_.write("site/n/" + std::to_string(i) + ".html",
                   "<p>page " + std::to_string(i) + "</p>\n");
    }
    port_ = free_port();
    std::string conf =
        "daemon off; master_process off; worker_processes 1; error_log stderr crit; pid " + d +
        "/nginx.pid;\n"
        "events { worker_connections 1024; }\n"
        "http {\n"
        "  access_log off;\n"
        "  client_body_temp_path " +
        d + "/tmp_body; proxy_temp_path " + d +
        "/tmp_proxy;\n"
        "  fastcgi_temp_path " +
        d + "/tmp_fcgi; uwsgi_temp_path " + d +
        "/tmp_uwsgi;\n"
        "  scgi_temp_path " +
        d +
        "/tmp_scgi;\n"
        "  types { text/html html; text/plain txt; }\n"
        "  default_type application/octet-stream;\n"
        "  gzip on; gzip_min_length 1; gzip_types text/plain;\n"
        "  keepalive_timeout 60s; keepalive_requests 1000000;\n"
        "  absolute_redirect off;\n"
        "  server {\n"
        "    listen 127.0.0.1:" +
        std::to_string(port_) +
        ";\n"
        "    root " +
        d +
        "/site;\n"
        "    location = /moved { return 301 /index.html; }\n"
        "    location = /loop { return 302 /loop; }\n"
        "    location = /status { stub_status; }\n" +
        extra +
        "  }\n"
        "}\n";
    dir_.write("nginx.conf", conf);
    child_ = std::make_unique<Child>(std::vector<std::string>{"/usr/sbin/nginx", "-p", d, "-c",
                                                              d + "/nginx.conf", "-e", "stderr"});
    if (!wait_listening(port_, std::chrono::seconds(10))) {
        throw std::runtime_error("nginx did not start on port " + std::to_string(port_));
    }
}

std::string NginxPeer::url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
}

long NginxPeer::accepts() const {
    int fd = raw_connect(port_);
    raw_send_all(fd, "GET /status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    std::string all;
    char buf[4096];
    for (;;) {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        all.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    // "server accepts handled requests\n A H R"
    size_t at = all.find("requests\n");
    if (at == std::string::npos) return -1;
    return std::stol(all.substr(at + 9));
}

PythonHttpServer::PythonHttpServer(const std::string& directory) {
    port_ = free_port();
    child_ = std::make_unique<Child>(std::vector<std::string>{
        "/bin/sh", "-c",
        "exec /usr/bin/python3 -m http.server --bind 127.0.0.1 " + std::to_string(port_) +
            " --directory '" + directory + "' 2>/dev/null"});
    if (!wait_listening(port_, std::chrono::seconds(10))) {
        throw std::runtime_error("python3 http.server did not start");
    }
}

std::string PythonHttpServer::url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::string compress(const std::string& data, int window_bits) {
    z_stream z{};
    if (deflateInit2(&z, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        throw std::runtime_error("deflateInit2 failed");
    }
    std::string out(deflateBound(&z, data.size()) + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    int rc = deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    if (rc != Z_STREAM_END) throw std::runtime_error("deflate did not finish");
    return out;
}

std::string gzip_zeros(size_t n) {
    z_stream z{};
    if (deflateInit2(&z, 1, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        throw std::runtime_error("deflateInit2 failed");
    }
    std::string zeros(1 << 20, '\0');
    std::string out, block(1 << 16, '\0');
    size_t done = 0;
    for (;;) {
        size_t take = std::min(zeros.size(), n - done);
        done += take;
        z.next_in = reinterpret_cast<Bytef*>(zeros.data());
        z.avail_in = static_cast<uInt>(take);
        int flush = done == n ? Z_FINISH : Z_NO_FLUSH;
        int rc;
        do {
            z.next_out = reinterpret_cast<Bytef*>(block.data());
            z.avail_out = static_cast<uInt>(block.size());
            rc = deflate(&z, flush);
            out.append(block.data(), block.size() - z.avail_out);
        } while (z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
        if (flush == Z_FINISH) break;
    }
    deflateEnd(&z);
    return out;
}

std::string RawRequest::target() const {
    size_t a = head.find(' ');
    size_t b = head.find(' ', a + 1);
    return head.substr(a + 1, b - a - 1);
}

corio::Coro<std::optional<RawRequest>> read_request(corio::Stream& s) {
    RawRequest r;
    try {
        r.head = co_await s.read_until("\r\n\r\n", 1 << 20);
    } catch (const corio::IncompleteReadError&) {
        co_return std::nullopt;
    }
    size_t at = r.head.find("Content-Length: ");
    if (at != std::string::npos) {
        size_t n = std::stoul(r.head.substr(at + 16));
        if (n) r.body = co_await s.read_exactly(n);
    }
    co_return r;
}

}  // namespace corio_test
