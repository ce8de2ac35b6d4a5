// One JSON line per URL: what crawl writes for every URL it was asked for or discovered, and the
// JSON string escaping it (and the handoff lines) use. Keys are a contract; see --help.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crawl {

struct Record {
    std::string url;        // as asked for (normalised)
    std::string final_url;  // after redirects; "" when nothing answered
    std::optional<int> status;
    uint64_t bytes = 0;
    std::optional<std::string> content_type;
    double elapsed_ms = 0;
    int depth = 0;
    std::optional<std::string> error;  // null when the fetch worked
    int retries = 0;
    size_t links = 0;
    std::optional<std::string> saved;  // the file --save wrote
};

// Appends s to out as a JSON string (with its quotes): '"', '\\' and control characters are
// escaped, valid UTF-8 passes through, and each byte of invalid UTF-8 (stray continuation
// bytes, overlong forms, surrogates, code points past U+10FFFF, truncated sequences) becomes
// U+FFFD, so the line is always valid JSON in valid UTF-8.
void append_json_string(std::string& out, std::string_view s);

// The record as one line of JSON, newline included.
std::string to_json_line(const Record& r);
void append_json_line(std::string& out, const Record& r);
// The same into a buffer of at least json_line_bound(r) bytes; returns the end of the line.
// The crawl writes each line so into one buffer it keeps: no allocation, no capacity checks.
size_t json_line_bound(const Record& r);
char* write_json_line(char* out, const Record& r);

// A handoff line: {"url":...,"depth":...,"from":...} with its newline.
std::string handoff_line(std::string_view url, int depth, std::string_view from);

}  // namespace crawl
