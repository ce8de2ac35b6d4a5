// Helpers for crawl's end-to-end tests: running the crawl binary (found beside the test
// binary), reading its JSON lines, temporary directories, a generated site, and the servers
// that serve it (corio's http::serve on a thread, a foreground nginx child).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "corio/http/request.hpp"
#include "corio/http/response.hpp"

namespace crawl_test {

// A directory under /tmp removed with everything in it on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

void write_file(const std::string& path, const std::string& data);
std::string read_file(const std::string& path);

// <build>/bin/crawl, found from /proc/self/exe (<build>/tests/test_crawl_x).
std::string crawl_binary();

// The crawl binary running as a child: stdout and stderr go to files, stdin comes from
// stdin_data (or /dev/null when empty).
class CrawlProcess {
public:
    explicit CrawlProcess(const std::vector<std::string>& args, const std::string& stdin_data = {});
    ~CrawlProcess();  // kills it if still running
    CrawlProcess(const CrawlProcess&) = delete;
    CrawlProcess& operator=(const CrawlProcess&) = delete;

    // Exit status, 128+signal when killed by one, -1 if it still ran at the timeout.
    int wait(std::chrono::milliseconds timeout = std::chrono::seconds(30));
    void signal(int sig);
    std::string out() const { return read_file(dir_.file("out")); }
    std::string err() const { return read_file(dir_.file("err")); }
    pid_t pid() const { return pid_; }

private:
    TempDir dir_;
    pid_t pid_ = -1;
    int status_ = -1;
};

struct CrawlResult {
    int status;
    std::string out, err;
};
// Runs crawl with args to its end (bounded by timeout) and returns what it wrote.
CrawlResult run_crawl(const std::vector<std::string>& args, const std::string& stdin_data = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(30));

// One flat JSON object: string values unescaped, other values (numbers, null) as written.
// Throws std::runtime_error when the line is not such an object.
using JsonLine = std::map<std::string, std::string>;
JsonLine parse_json_line(const std::string& line);
std::vector<JsonLine> parse_json_lines(const std::string& text);

// A generated site on disk: index.html links to FANOUT pages, each of those to FANOUT more,
// down to `levels` levels (page names say their place: /n1-2.html, /n1-2-0.html...), with
// duplicate and fragment links back up, a text/plain page with link-like text, a link to a
// missing page, and a /private/ page behind robots.txt ("Disallow: /private/").
struct Site {
    std::string root;
    // URL paths of the pages at each depth from index.html, as crawl reaches them.
    std::vector<std::set<std::string>> by_depth;
};
Site make_site(const std::string& root, int levels, int fanout = 3);

// http::serve on 127.0.0.1 over a thread of its own, answering with handler.
class TestServer {
public:
    using Handler = std::function<corio::Coro<corio::http::Response>(corio::http::Request&)>;
    explicit TestServer(Handler handler);
    ~TestServer();
    TestServer(const TestServer&) = delete;
    TestServer& operator=(const TestServer&) = delete;
    uint16_t port() const { return port_; }
    std::string url(const std::string& path = "/") const;

private:
    struct State;
    std::unique_ptr<State> state_;
    uint16_t port_ = 0;
    std::thread thread_;
};

// nginx in the foreground (daemon off, master_process off) serving root on a free loopback
// port, with its configuration, pid file and temp paths in a temporary directory.
class Nginx {
public:
    explicit Nginx(const std::string& root);
    ~Nginx();
    Nginx(const Nginx&) = delete;
    Nginx& operator=(const Nginx&) = delete;
    uint16_t port() const { return port_; }
    std::string url(const std::string& path = "/") const;

private:
    TempDir dir_;
    pid_t pid_ = -1;
    uint16_t port_ = 0;
};

// A free loopback TCP port (bound then released: another program may take it in between).
uint16_t free_port();

}  // namespace crawl_test
