// Streaming the start list (see input.hpp).
#include "input.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>

namespace crawl {
namespace {

constexpr size_t kMaxLine = 1 << 20;

std::string_view trim(std::string_view s) {
    while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') s.remove_prefix(1);
    while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') s.remove_suffix(1);
    return s;
}

// Reads a JSON string starting at s[i] == '"'; handles the escapes crawl's own writer emits
// (\" \\ \/ \b \f \n \r \t \uXXXX, non-BMP as surrogate pairs). nullopt when malformed.
std::optional<std::string> json_string(std::string_view s, size_t& i) {
    std::string out;
    auto put_utf8 = [&](uint32_t cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    };
    auto hex4 = [&](size_t at, uint32_t& v) {
        if (at + 4 > s.size()) return false;
        auto [end, ec] = std::from_chars(s.data() + at, s.data() + at + 4, v, 16);
        return ec == std::errc() && end == s.data() + at + 4;
    };
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
        if (++i >= s.size()) return std::nullopt;
        switch (s[i]) {
            case '"':
            case '\\':
            case '/':
                out += s[i];
                break;
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 't':
                out += '\t';
                break;
            case 'u': {
                uint32_t cp = 0;
                if (!hex4(i + 1, cp)) return std::nullopt;
                i += 4;
                if (cp >= 0xD800 && cp < 0xDC00 && i + 2 < s.size() && s[i + 1] == '\\' &&
                    s[i + 2] == 'u') {
                    uint32_t lo = 0;
                    if (hex4(i + 3, lo) && lo >= 0xDC00 && lo < 0xE000) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        i += 6;
                    }
                }
                put_utf8(cp);
                break;
            }
            default:
                return std::nullopt;
        }
    }
    return std::nullopt;
}

// The value of "key" in a flat JSON object, as raw text position; npos when absent.
size_t find_key(std::string_view obj, std::string_view key) {
    std::string quoted = "\"" + std::string(key) + "\"";
    size_t k = obj.find(quoted);
    if (k == std::string_view::npos) return k;
    size_t i = k + quoted.size();
    while (i < obj.size() && (obj[i] == ' ' || obj[i] == ':')) ++i;
    return i;
}

}  // namespace

std::optional<StartUrl> parse_input_line(std::string_view line) {
    line = trim(line);
    if (line.empty() || line.front() == '#') return std::nullopt;
    if (line.front() != '{') return StartUrl{std::string(line), 0};
    StartUrl out;
    size_t u = find_key(line, "url");
    if (u == std::string_view::npos || u >= line.size() || line[u] != '"') return std::nullopt;
    auto url = json_string(line, u);
    if (!url) return std::nullopt;
    out.url = std::move(*url);
    if (size_t d = find_key(line, "depth"); d != std::string_view::npos) {
        int depth = 0;
        auto [end, ec] = std::from_chars(line.data() + d, line.data() + line.size(), depth);
        if (ec == std::errc() && depth >= 0) out.depth = depth;
    }
    return out;
}

LineReader LineReader::open(const std::string& path) {
    if (path == "-") return LineReader(0, false);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error("cannot read " + path + ": " + std::strerror(errno));
    return LineReader(fd, true);
}

LineReader::LineReader(LineReader&& o) noexcept
    : fd_(o.fd_),
      owned_(o.owned_),
      eof_(o.eof_),
      skipping_(o.skipping_),
      buf_(std::move(o.buf_)),
      pos_(o.pos_) {
    o.owned_ = false;
}

LineReader::~LineReader() {
    if (owned_) ::close(fd_);
}

std::optional<std::string> LineReader::next(const std::atomic<bool>& stop) {
    for (;;) {
        size_t nl = buf_.find('\n', pos_);
        if (nl != std::string::npos && skipping_) {  // the tail of an over-long line
            pos_ = nl + 1;
            skipping_ = false;
            continue;
        }
        if (nl != std::string::npos) {
            std::string line = buf_.substr(pos_, nl - pos_);
            pos_ = nl + 1;
            if (!line.empty() && line.back() == '\r') line.pop_back();
            return line;
        }
        if (buf_.size() - pos_ > kMaxLine) {  // no URL is this long: drop it, not memory
            buf_.clear();
            pos_ = 0;
            skipping_ = true;
        }
        if (eof_) {
            if (pos_ >= buf_.size() || skipping_) return std::nullopt;
            std::string line = buf_.substr(pos_);
            pos_ = buf_.size();
            return line;
        }
        if (stop.load(std::memory_order_relaxed)) return std::nullopt;
        buf_.erase(0, pos_);  // keep only the unfinished line
        pos_ = 0;
        pollfd p{fd_, POLLIN, 0};
        int r = ::poll(&p, 1, 100);
        if (r < 0 && errno != EINTR) {
            throw std::runtime_error(std::string("input: ") + std::strerror(errno));
        }
        if (r <= 0) continue;
        char chunk[64 * 1024];
        ssize_t n = ::read(fd_, chunk, sizeof chunk);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            throw std::runtime_error(std::string("input: ") + std::strerror(errno));
        }
        if (n == 0) {
            eof_ = true;
        } else {
            buf_.append(chunk, static_cast<size_t>(n));
        }
    }
}

}  // namespace crawl
