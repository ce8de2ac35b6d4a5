// Serving files below a root directory (files.hpp). A request path is percent-decoded first and
// then split, so "%2e%2e" and "%2f" cannot smuggle a "..": any ".." segment is refused, and the
// resolved file (symbolic links followed) must still lie below the resolved root.
#include "corio/http/files.hpp"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>
#include <stdexcept>

#include "corio/executor.hpp"

namespace corio::http {

namespace {

// Files up to this size are read on the loop thread: a page cache hit costs less than a trip to
// the thread pool.
constexpr off_t kInlineRead = 256 * 1024;

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// nullopt for a broken escape or a NUL byte, which no file name may hold.
std::optional<std::string> percent_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= s.size()) return std::nullopt;
            int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            c = static_cast<char>(hi * 16 + lo);
            i += 2;
        }
        if (c == '\0') return std::nullopt;
        out.push_back(c);
    }
    return out;
}

// The file system path for a decoded URL path below root; nullopt when a segment is "..".
std::optional<std::string> join_below(const std::string& root, std::string_view rel) {
    std::string out = root;
    while (!rel.empty()) {
        size_t slash = rel.find('/');
        std::string_view seg = rel.substr(0, slash);
        rel = slash == std::string_view::npos ? std::string_view() : rel.substr(slash + 1);
        if (seg.empty() || seg == ".") continue;
        if (seg == "..") return std::nullopt;
        out.push_back('/');
        out.append(seg);
    }
    return out;
}

std::optional<std::string> real_path(const std::string& p) {
    char buf[PATH_MAX];
    if (::realpath(p.c_str(), buf) == nullptr) return std::nullopt;
    return std::string(buf);
}

bool is_below(const std::string& real, const std::string& real_root) {
    if (real == real_root) return true;
    if (real.compare(0, real_root.size(), real_root) != 0) return false;
    return real_root == "/" || real[real_root.size()] == '/';
}

// The whole file, or nullopt when it cannot be read.
std::optional<std::string> read_file(std::string path, size_t size) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    std::string out(size, '\0');
    size_t got = 0;
    while (got < size) {
        ssize_t n = ::read(fd, out.data() + got, size - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += static_cast<size_t>(n);
    }
    ::close(fd);
    out.resize(got);
    return out;
}

struct Ext {
    std::string_view ext, type;
};
constexpr Ext kTypes[] = {
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"json", "application/json"},
    {"txt", "text/plain; charset=utf-8"},
    {"md", "text/markdown; charset=utf-8"},
    {"csv", "text/csv; charset=utf-8"},
    {"xml", "application/xml"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"ico", "image/x-icon"},
    {"wasm", "application/wasm"},
    {"pdf", "application/pdf"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"mp4", "video/mp4"},
    {"webm", "video/webm"},
    {"map", "application/json"},
    {"gz", "application/gzip"},
};

Response plain(int status) {
    std::string body(reason_phrase(status));
    body.push_back('\n');
    return Response::text(status, std::move(body));
}

Coro<Response> serve_below(const Request& request, std::string real_root,
                           const FilesOptions& options) {
    if (request.method != "GET" && request.method != "HEAD") {
        Response r = plain(405);
        r.headers.add("Allow", "GET, HEAD");
        co_return r;
    }
    std::string_view path = request.path();
    std::string_view prefix = options.prefix;
    while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
    if (path.compare(0, prefix.size(), prefix) != 0 ||
        (path.size() > prefix.size() && path[prefix.size()] != '/')) {
        co_return plain(404);
    }
    auto decoded = percent_decode(path.substr(prefix.size()));
    if (!decoded) co_return plain(404);
    auto candidate = join_below(real_root, *decoded);
    if (!candidate) co_return plain(404);
    struct stat st;
    if (::stat(candidate->c_str(), &st) != 0) co_return plain(404);
    if (S_ISDIR(st.st_mode)) {
        if (options.index.empty()) co_return plain(404);
        if (path.empty() || path.back() != '/') {
            std::string location = std::string(path) + "/";
            if (!request.query().empty()) location += "?" + std::string(request.query());
            co_return Response::redirect(301, std::move(location));
        }
        *candidate += "/" + options.index;
        if (::stat(candidate->c_str(), &st) != 0) co_return plain(404);
    }
    if (!S_ISREG(st.st_mode) || static_cast<size_t>(st.st_size) > options.max_file_size) {
        co_return plain(404);
    }
    auto real = real_path(*candidate);
    if (!real || !is_below(*real, real_root)) co_return plain(404);

    Response r;
    r.headers.add("Content-Type", std::string(content_type_for(*real)));
    if (request.method == "HEAD") {
        // The server keeps a HEAD answer's own Content-Length: no need to read the file.
        r.headers.add("Content-Length", std::to_string(st.st_size));
        co_return r;
    }
    std::optional<std::string> body;
    size_t size = static_cast<size_t>(st.st_size);
    if (st.st_size <= kInlineRead) {
        body = read_file(*real, size);
    } else {
        body = co_await to_thread(read_file, *real, size);
    }
    if (!body) co_return plain(404);
    r.body = std::move(*body);
    co_return r;
}

}  // namespace

std::string_view content_type_for(std::string_view path) noexcept {
    size_t slash = path.rfind('/');
    size_t dot = path.rfind('.');
    if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) {
        return "application/octet-stream";
    }
    std::string_view ext = path.substr(dot + 1);
    for (const Ext& e : kTypes)
        if (iequals(e.ext, ext)) return e.type;
    return "application/octet-stream";
}

Coro<Response> serve_file(const Request& request, const std::string& root,
                          const FilesOptions& options) {
    auto real_root = real_path(root);
    if (!real_root) co_return plain(404);
    co_return co_await serve_below(request, std::move(*real_root), options);
}

Handler static_files(std::string root, FilesOptions options) {
    auto real_root = real_path(root);
    if (!real_root) {
        throw std::invalid_argument("http::static_files: " + root + " is not a directory");
    }
    return [root = std::move(*real_root), options = std::move(options)](Request& request) {
        return serve_below(request, root, options);
    };
}

}  // namespace corio::http
