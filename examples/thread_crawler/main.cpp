// The other side of the demo's comparison: a crawler as it is written without an event loop,
// one OS thread per in-flight request and blocking sockets. Plain and fair: each of its T
// threads keeps one HTTP/1.1 keep-alive connection, as corio's and aiohttp's pools do.
//   thread_crawler [-t THREADS] [-i FILE]   (URLs one a line, http://host:port/path; - = stdin)
// Prints one JSON line: requests, ok, errors, bytes, seconds.
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Target {
    std::string host, port, path;
};

bool split_url(const std::string& url, Target& t) {
    const std::string scheme = "http://";
    if (url.compare(0, scheme.size(), scheme) != 0) return false;
    size_t host_start = scheme.size();
    size_t slash = url.find('/', host_start);
    std::string authority = url.substr(host_start, slash - host_start);
    t.path = slash == std::string::npos ? "/" : url.substr(slash);
    size_t colon = authority.rfind(':');
    t.host = colon == std::string::npos ? authority : authority.substr(0, colon);
    t.port = colon == std::string::npos ? "80" : authority.substr(colon + 1);
    return !t.host.empty();
}

int dial(const Target& t) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (getaddrinfo(t.host.c_str(), t.port.c_str(), &hints, &res) != 0) return -1;
    int fd = -1;
    for (addrinfo* a = res; a; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd >= 0) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    return fd;
}

// One keep-alive connection per thread, reopened when the server closes it. Reads a response
// with Content-Length (what the demo's servers send); anything else counts as an error.
class Connection {
public:
    ~Connection() { reset(); }

    // Body size, or -1 on any failure.
    long get(const Target& t) {
        for (int attempt = 0; attempt < 2; ++attempt) {
            if (fd_ < 0 || t.host != host_ || t.port != port_) {
                reset();
                fd_ = dial(t);
                if (fd_ < 0) return -1;
                host_ = t.host;
                port_ = t.port;
            }
            std::string req = "GET " + t.path + " HTTP/1.1\r\nHost: " + t.host + ":" + t.port +
                              "\r\nUser-Agent: thread_crawler\r\n\r\n";
            if (send(fd_, req.data(), req.size(), MSG_NOSIGNAL) ==
                static_cast<ssize_t>(req.size())) {
                long n = read_response();
                if (n >= 0) return n;
            }
            reset();  // a stale keep-alive connection: one fresh try
        }
        return -1;
    }

private:
    void reset() {
        if (fd_ >= 0) close(fd_);
        fd_ = -1;
        buf_.clear();
    }

    bool fill() {
        char tmp[16384];
        ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
        if (n <= 0) return false;
        buf_.append(tmp, static_cast<size_t>(n));
        return true;
    }

    long read_response() {
        size_t end;
        while ((end = buf_.find("\r\n\r\n")) == std::string::npos)
            if (!fill()) return -1;
        std::string head = buf_.substr(0, end);
        if (head.compare(0, 9, "HTTP/1.1 ") != 0 && head.compare(0, 9, "HTTP/1.0 ") != 0) return -1;
        long length = -1;
        for (size_t pos = 0; pos < head.size();) {
            size_t eol = head.find("\r\n", pos);
            std::string line = head.substr(pos, eol - pos);
            if (line.size() > 15 && strncasecmp(line.c_str(), "content-length:", 15) == 0)
                length = std::atol(line.c_str() + 15);
            if (eol == std::string::npos) break;
            pos = eol + 2;
        }
        if (length < 0) return -1;
        size_t total = end + 4 + static_cast<size_t>(length);
        while (buf_.size() < total)
            if (!fill()) return -1;
        buf_.erase(0, total);
        return length;
    }

    int fd_ = -1;
    std::string host_, port_, buf_;
};

}  // namespace

int main(int argc, char** argv) {
    int threads = 100;
    std::string input = "-";
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "-t" && i + 1 < argc) {
            threads = std::atoi(argv[++i]);
        } else if (a == "-i" && i + 1 < argc) {
            input = argv[++i];
        } else {
            std::fprintf(stderr, "usage: thread_crawler [-t THREADS] [-i FILE]\n");
            return 2;
        }
    }
    if (threads < 1) threads = 1;
    std::vector<Target> targets;
    std::ifstream file;
    if (input != "-") {
        file.open(input);
        if (!file) {
            std::fprintf(stderr, "thread_crawler: cannot open %s\n", input.c_str());
            return 2;
        }
    }
    std::istream& in = input == "-" ? std::cin : file;
    for (std::string line; std::getline(in, line);) {
        Target t;
        if (!line.empty() && line[0] != '#' && split_url(line, t)) targets.push_back(t);
    }

    std::atomic<size_t> next{0}, ok{0}, errors{0}, bytes{0};
    auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (int i = 0; i < threads; ++i) {
        pool.emplace_back([&] {
            Connection conn;
            for (size_t k; (k = next.fetch_add(1)) < targets.size();) {
                long n = conn.get(targets[k]);
                if (n < 0) {
                    errors.fetch_add(1);
                } else {
                    ok.fetch_add(1);
                    bytes.fetch_add(static_cast<size_t>(n));
                }
            }
        });
    }
    for (auto& t : pool) t.join();
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf(
        "{\"requests\": %zu, \"ok\": %zu, \"errors\": %zu, \"bytes\": %zu, \"seconds\": %.3f}\n",
        targets.size(), ok.load(), errors.load(), bytes.load(), secs);
    return errors.load() == 0 ? 0 : 1;
}
