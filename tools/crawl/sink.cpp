// Buffered, thread-safe line output and --save's files (see sink.hpp).
#include "sink.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "shard.hpp"

namespace crawl {
namespace {

constexpr size_t kBlock = 64 * 1024;

bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
}

std::string errno_text() { return std::strerror(errno); }

}  // namespace

int Sink::open_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw std::runtime_error("cannot write " + path + ": " + errno_text());
    return fd;
}

Sink::~Sink() {
    flush();
    if (owned_) ::close(fd_);
}

bool Sink::write(std::string_view line) {
    std::lock_guard<std::mutex> g(mu_);
    buffer_.append(line);
    if (buffer_.size() >= kBlock) write_out_locked();
    return !failed_;
}

void Sink::flush() {
    std::lock_guard<std::mutex> g(mu_);
    write_out_locked();
}

bool Sink::ok() const {
    std::lock_guard<std::mutex> g(mu_);
    return !failed_;
}

void Sink::write_out_locked() {
    if (buffer_.empty()) return;
    if (!failed_ && !write_all(fd_, buffer_)) failed_ = true;
    buffer_.clear();
}

void prepare_save_dir(const std::string& dir) {
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
        throw std::runtime_error("--save: cannot create " + dir + ": " + errno_text());
    }
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || ::access(dir.c_str(), W_OK) != 0) {
        throw std::runtime_error("--save: " + dir + " is not a writable directory");
    }
}

std::string save_body(const std::string& dir, std::string_view url, std::string_view body) {
    char name[17];
    std::snprintf(name, sizeof name, "%016llx", static_cast<unsigned long long>(fnv1a64(url)));
    std::string path = dir + "/" + name;
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw std::runtime_error("save failed: " + errno_text());
    bool ok = write_all(fd, body);
    ::close(fd);
    if (!ok) throw std::runtime_error("save failed: " + errno_text());
    return path;
}

}  // namespace crawl
