// Real HTTP peers for the client tests, started on loopback free ports: nginx (one worker, gzip
// on, a generated site, stub_status for counting accepts) and Python's http.server; plus small
// helpers for servers written in the tests (reading one request off a corio Stream).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "corio/corio.hpp"
#include "net_support.hpp"

namespace corio_test {

// A fresh directory under /tmp, removed with its contents on destruction.
class TempDir {
public:
    TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir();
    const std::string& path() const { return path_; }
    // Writes data to path()/rel, creating folders on the way; returns the full path.
    std::string write(const std::string& rel, const std::string& data) const;

private:
    std::string path_;
};

// A free loopback TCP port (bound then released; the peer binds it right after).
uint16_t free_port();
// Waits until something accepts connections on 127.0.0.1:port; false after timeout.
bool wait_listening(uint16_t port, std::chrono::milliseconds timeout);

// nginx serving site_root() on 127.0.0.1:port(). The site holds index.html, page.txt,
// big.txt (1 MiB of text), n/<i>.html for i < 1000, empty.txt. Locations: /moved (301 to
// /index.html), /loop (302 to itself), /status (stub_status), plus extra_server_config.
class NginxPeer {
public:
    explicit NginxPeer(const std::string& extra_server_config = "");
    uint16_t port() const { return port_; }
    std::string url(const std::string& path) const;
    const TempDir& dir() const { return dir_; }
    pid_t pid() const { return child_->pid(); }
    // The "accepts" counter of stub_status (fetched with a raw socket; that fetch counts too).
    long accepts() const;
    static std::string index_html();
    static std::string big_text();

private:
    TempDir dir_;
    uint16_t port_ = 0;
    std::unique_ptr<Child> child_;
};

// python3 -m http.server (HTTP/1.0: one connection per request) serving a directory.
class PythonHttpServer {
public:
    explicit PythonHttpServer(const std::string& directory);
    uint16_t port() const { return port_; }
    std::string url(const std::string& path) const;

private:
    uint16_t port_ = 0;
    std::unique_ptr<Child> child_;
};

// data compressed by zlib; window_bits as deflateInit2 takes them: 31 gzip, 15 zlib-wrapped
// deflate, -15 raw deflate.
std::string compress(const std::string& data, int window_bits);
// A gzip stream of n zero bytes, compressed as it is generated (1 GiB gives about 4.5 MiB).
std::string gzip_zeros(size_t n);

// One request read off a stream by a server written in a test.
struct RawRequest {
    std::string head;  // request line and header fields, up to the blank line
    std::string body;  // Content-Length bytes
    std::string method() const { return head.substr(0, head.find(' ')); }
    std::string target() const;
    bool has(const std::string& line) const { return head.find(line) != std::string::npos; }
};
// The next request on s; nullopt at a clean end of stream.
corio::Coro<std::optional<RawRequest>> read_request(corio::Stream& s);

}  // namespace corio_test
