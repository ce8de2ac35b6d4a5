// Where JSON lines go: stdout, -o FILE or --handoff FILE. Lines from every loop thread are
// appended whole under a mutex and written in blocks (64 KiB, or on flush(), which the run
// calls about ten times a second and at the end), so a line is never torn and a reader of a
// pipe sees results with little delay without a syscall per line. Also --save's body files.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace crawl {

class Sink {
public:
    // Writes to fd (not closed by the sink unless owned).
    explicit Sink(int fd = 1, bool owned = false) : fd_(fd), owned_(owned) {}
    // Opens path for writing (created or truncated); throws std::runtime_error naming it.
    static int open_file(const std::string& path);
    Sink(const Sink&) = delete;
    Sink& operator=(const Sink&) = delete;
    ~Sink();

    // Appends line; false once a write failed (as ok()), in the same lock.
    bool write(std::string_view line);
    void flush();
    // False once a write failed (a closed pipe, a full disk): the run then stops.
    bool ok() const;

private:
    void write_out_locked();

    mutable std::mutex mu_;
    std::string buffer_;
    int fd_;
    bool owned_;
    bool failed_ = false;
};

// --save: stores body in dir under a name made from the URL (16 hex digits of FNV-1a 64 of
// the URL's bytes) and returns the path, or throws std::runtime_error.
std::string save_body(const std::string& dir, std::string_view url, std::string_view body);

// Makes dir if missing; throws std::runtime_error when it cannot be used.
void prepare_save_dir(const std::string& dir);

}  // namespace crawl
