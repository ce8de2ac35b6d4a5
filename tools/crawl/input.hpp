// The start list, streamed: URLs from the command line, then -i FILE (or stdin) one line at a
// time, so a list of a million lines is never held in memory. A line is a URL, or a handoff
// line ({"url":...,"depth":...}) from another shard's --handoff file, which keeps its depth.
// Blank lines and lines starting with '#' are skipped.
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crawl {

struct StartUrl {
    std::string url;  // as written (trimmed); may be invalid, the engine reports that
    int depth = 0;
};

// What one input line asks for; nullopt for a blank line, a comment, or a handoff line
// without a "url" string.
std::optional<StartUrl> parse_input_line(std::string_view line);

// Reads lines from a file descriptor with poll(2), so that a reader blocked on a quiet pipe
// still notices stop() within 100 ms.
class LineReader {
public:
    // fd is read and, if owned, closed by the destructor.
    LineReader(int fd, bool owned) : fd_(fd), owned_(owned) {}
    // Opens path ("-" is stdin); throws std::runtime_error naming it.
    static LineReader open(const std::string& path);
    LineReader(LineReader&& o) noexcept;
    LineReader(const LineReader&) = delete;
    LineReader& operator=(const LineReader&) = delete;
    ~LineReader();

    // The next line without its "\n" (or "\r\n"); nullopt at the end of the input or once
    // stop is true. A last line without a newline still counts. Throws std::runtime_error on
    // a read error. A line over 1 MiB is skipped.
    std::optional<std::string> next(const std::atomic<bool>& stop);

private:
    int fd_;
    bool owned_;
    bool eof_ = false;
    bool skipping_ = false;
    std::string buf_;
    size_t pos_ = 0;
};

}  // namespace crawl
