// Helpers for crawl's end-to-end tests (see crawl_support.hpp).
#include "crawl_support.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <stdexcept>

#include "corio/corio.hpp"
#include "corio/http/server.hpp"

namespace crawl_test {

using namespace std::chrono_literals;

TempDir::TempDir() {
    char tmpl[] = "/tmp/corio-crawl-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

void write_file(const std::string& path, const std::string& data) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream f(path, std::ios::binary);
    f << data;
}

std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

std::string crawl_binary() {
    auto exe = std::filesystem::read_symlink("/proc/self/exe");
    return (exe.parent_path().parent_path() / "bin" / "crawl").string();
}

CrawlProcess::CrawlProcess(const std::vector<std::string>& args, const std::string& stdin_data) {
    std::string in_path = dir_.file("in");
    write_file(in_path, stdin_data);
    std::vector<std::string> argv{crawl_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargs;
    for (auto& a : argv) cargs.push_back(a.data());
    cargs.push_back(nullptr);
    std::string out = dir_.file("out"), err = dir_.file("err");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        int in = open(stdin_data.empty() ? "/dev/null" : in_path.c_str(), O_RDONLY);
        int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(in, 0);
        dup2(o, 1);
        dup2(e, 2);
        // The test binary may block or ignore signals; the child starts with defaults.
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        ::signal(SIGINT, SIG_DFL);
        ::signal(SIGTERM, SIG_DFL);
        ::signal(SIGPIPE, SIG_DFL);
        execv(cargs[0], cargs.data());
        _exit(127);
    }
}

CrawlProcess::~CrawlProcess() {
    if (pid_ > 0 && status_ < 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
}

int CrawlProcess::wait(std::chrono::milliseconds timeout) {
    if (status_ >= 0) return status_;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        int st = 0;
        pid_t r = waitpid(pid_, &st, WNOHANG);
        if (r == pid_) {
            status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            return status_;
        }
        if (std::chrono::steady_clock::now() >= deadline) return -1;
        usleep(5000);
    }
}

void CrawlProcess::signal(int sig) {
    if (status_ < 0) kill(pid_, sig);
}

CrawlResult run_crawl(const std::vector<std::string>& args, const std::string& stdin_data,
                      std::chrono::milliseconds timeout) {
    CrawlProcess p(args, stdin_data);
    int status = p.wait(timeout);
    return {status, p.out(), p.err()};
}

namespace {

std::string json_string_at(const std::string& s, size_t& i) {
    std::string out;
    for (++i; i < s.size(); ++i) {
        char c = s[i];
        if (c == '"') {
            ++i;
            return out;
        }
        if (c != '\\') {
            out += c;
            continue;
        }
        char e = s.at(++i);
        switch (e) {
            case 'n':
                out += '\n';
                break;
            case 't':
                out += '\t';
                break;
            case 'r':
                out += '\r';
                break;
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'u':
                out += "\\u" + s.substr(i + 1, 4);
                i += 4;
                break;
            default:
                out += e;
        }
    }
    throw std::runtime_error("unterminated JSON string");
}

}  // namespace

JsonLine parse_json_line(const std::string& line) {
    JsonLine out;
    size_t i = 0;
    if (line.empty() || line[0] != '{') throw std::runtime_error("not a JSON object: " + line);
    ++i;
    while (i < line.size() && line[i] != '}') {
        if (line[i] == ',') ++i;
        if (line.at(i) != '"') throw std::runtime_error("bad JSON key in: " + line);
        std::string key = json_string_at(line, i);
        if (line.at(i) != ':') throw std::runtime_error("missing ':' in: " + line);
        ++i;
        if (line.at(i) == '"') {
            out[key] = json_string_at(line, i);
        } else {
            size_t end = line.find_first_of(",}", i);
            out[key] = line.substr(i, end - i);
            i = end;
        }
    }
    if (i + 1 != line.size()) throw std::runtime_error("trailing bytes after JSON: " + line);
    return out;
}

std::vector<JsonLine> parse_json_lines(const std::string& text) {
    std::vector<JsonLine> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(parse_json_line(line));
    return out;
}

namespace {

void make_level(Site& site, const std::string& name, int depth, int levels, int fanout) {
    std::string path = "/" + name + ".html";
    site.by_depth[static_cast<size_t>(depth)].insert(path);
    std::string html = "<!doctype html><title>" + name +
                       "</title><p>back to <a href='/'>top</a>"
                       " and <a href=\"" +
                       name + ".html#self\">self</a>\n";
    if (depth < levels) {
        for (int j = 0; j < fanout; ++j) {
            std::string child = name + "-" + std::to_string(j);
            html += "<a href=\"" + child + ".html\">" + child + "</a>\n";
            make_level(site, child, depth + 1, levels, fanout);
        }
    }
    write_file(site.root + path, html);
}

}  // namespace

Site make_site(const std::string& root, int levels, int fanout) {
    Site site{root, std::vector<std::set<std::string>>(static_cast<size_t>(levels) + 1)};
    site.by_depth[0].insert("/");
    std::string index = "<!doctype html><title>top</title><a href='/#top'>again</a>\n";
    for (int i = 0; i < fanout; ++i) {
        std::string name = "n" + std::to_string(i);
        index += "<a href=\"" + name + ".html\">" + name + "</a>\n";
        if (levels >= 1) make_level(site, name, 1, levels, fanout);
    }
    index +=
        "<a href=missing.html>gone</a> <a href=notes.txt>notes</a>"
        " <a href=/private/secret.html>secret</a>"
        "<!-- <a href=/commented.html> --><script>var a='<a href=/scripted.html>'</script>";
    write_file(root + "/index.html", index);
    if (levels >= 1) {
        site.by_depth[1].insert("/missing.html");
        site.by_depth[1].insert("/notes.txt");
        site.by_depth[1].insert("/private/secret.html");
    }
    write_file(root + "/notes.txt", "<a href=/from-text.html>not a link in text/plain</a>\n");
    write_file(root + "/private/secret.html", "<a href=/private/deeper.html>deeper</a>\n");
    write_file(root + "/robots.txt", "User-agent: *\nDisallow: /private/\n");
    return site;
}

struct TestServer::State {
    corio::Loop* loop = nullptr;
    corio::Event stop;
};

namespace {

corio::Coro<void> serve_until_stopped(TestServer::Handler handler, corio::Event& stop,
                                      std::promise<uint16_t>& ready) {
    corio::Server server = co_await corio::http::serve(std::move(handler), "127.0.0.1", 0);
    ready.set_value(server.port());
    co_await stop.wait();
    server.close();
    co_await server.wait_closed();
}

}  // namespace

TestServer::TestServer(Handler handler) : state_(std::make_unique<State>()) {
    std::promise<uint16_t> ready;
    auto port = ready.get_future();
    thread_ = std::thread([this, handler = std::move(handler), &ready]() mutable {
        corio::Loop loop;
        state_->loop = &loop;
        loop.run_until_complete(serve_until_stopped(std::move(handler), state_->stop, ready));
        loop.shutdown();  // connections still open end here, quietly
    });
    port_ = port.get();
}

TestServer::~TestServer() {
    State* s = state_.get();
    s->loop->call_soon_threadsafe([s] { s->stop.set(); });
    thread_.join();
}

std::string TestServer::url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
}

uint16_t free_port() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    close(fd);
    return ntohs(a.sin_port);
}

namespace {

bool can_connect(uint16_t port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    close(fd);
    return ok;
}

}  // namespace

Nginx::Nginx(const std::string& root) {
    port_ = free_port();
    std::string d = dir_.path();
    std::string conf =
        "daemon off;\nmaster_process off;\nworker_processes 1;\n"
        "error_log stderr crit;\npid " +
        d +
        "/nginx.pid;\n"
        "events { worker_connections 1024; }\n"
        "http {\n access_log off;\n"
        " client_body_temp_path " +
        d + "/body;\n proxy_temp_path " + d + "/proxy;\n fastcgi_temp_path " + d +
        "/fastcgi;\n uwsgi_temp_path " + d + "/uwsgi;\n scgi_temp_path " + d +
        "/scgi;\n"
        " types { text/html html; text/plain txt; }\n"
        " default_type application/octet-stream;\n"
        " keepalive_requests 100000;\n"
        " server { listen 127.0.0.1:" +
        std::to_string(port_) + "; root " + root + "; }\n}\n";
    write_file(d + "/nginx.conf", conf);
    pid_ = fork();
    if (pid_ == 0) {
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(null, 1);
        execl("/usr/sbin/nginx", "nginx", "-e", "stderr", "-p", d.c_str(), "-c",
              (d + "/nginx.conf").c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    for (int i = 0; i < 500 && !can_connect(port_); ++i) usleep(10000);
    if (!can_connect(port_)) throw std::runtime_error("nginx did not start");
}

Nginx::~Nginx() {
    kill(pid_, SIGTERM);
    for (int i = 0; i < 300; ++i) {
        if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
        usleep(10000);
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
}

std::string Nginx::url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
}

}  // namespace crawl_test
