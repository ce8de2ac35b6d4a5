// Serving a directory over http::serve: GET and HEAD of the files below a root, with a content
// type from the extension, index.html for a directory, and 404 for anything outside the root
// (.., %2e%2e, symbolic links leading out) or missing.
//
// Threads: serve_file is awaited on a loop's thread (it reads large files on that loop's pool);
// content_type_for and static_files may be called from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "corio/coro.hpp"
#include "corio/http/request.hpp"
#include "corio/http/response.hpp"
#include "corio/http/server.hpp"

namespace corio::http {

struct FilesOptions {
    // The URL path the directory is served under ("/static" serves root/a.css as
    // /static/a.css); requests outside it get 404.
    std::string prefix = "/";
    // Served for a path naming a directory; "" turns that off (404).
    std::string index = "index.html";
    // Larger files get 404 rather than being loaded whole into memory.
    size_t max_file_size = 64 * 1024 * 1024;
};

// The media type for a file name's extension ("text/html; charset=utf-8" for .html, ...);
// "application/octet-stream" when unknown.
std::string_view content_type_for(std::string_view path) noexcept;

// Answers one request from the files under root: 200 with the file, 301 to add the '/' a
// directory lacks, 404 when missing or outside root, 405 for methods other than GET and HEAD.
// Large files are read on the default thread pool. File errors become statuses; it throws only
// CancelledError when cancelled and, for a large file, what to_thread throws (executor.hpp).
Coro<Response> serve_file(const Request& request, const std::string& root,
                          const FilesOptions& options = {});

// A handler for http::serve answering every request with serve_file under root. Throws
// std::invalid_argument when root does not exist. With g++ 12, name it before passing it to
// co_await http::serve(...): a temporary std::function inside co_await is destroyed twice.
Handler static_files(std::string root, FilesOptions options = {});

}  // namespace corio::http
