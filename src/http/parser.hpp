// detail::Parser: one HTTP/1.1 message parser over llhttp 8.1.0, shared by the server (requests)
// and the client (responses). It adds what llhttp leaves to its user (notes section E): size
// limits, per-message boundaries for pipelining, 1xx skipping, HEAD/204/304 bodies, EOF rules.
#pragma once

#include <llhttp.h>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "corio/http/headers.hpp"

namespace corio::http::detail {

// Bounds on what one message may make the parser hold. A message over one of them is an error
// of the matching kind, found as the bytes arrive (nothing over a limit is ever buffered).
struct ParserLimits {
    // Request: bytes of the request-target (414). Response: bytes of the reason phrase.
    size_t max_line = 8 * 1024;
    // Header (and trailer) fields of one message: name + value + 4 bytes (": " and CRLF) each,
    // summed (431). nginx allows 4 x 8 KiB by default, Node 16 KiB: 64 KiB is generous.
    size_t max_header_bytes = 64 * 1024;
    // Number of header and trailer fields (431), so tiny fields cannot grow a huge vector.
    size_t max_header_count = 256;
    // Body bytes as received (de-chunked, still content-encoded) (413). A Content-Length over it
    // fails as soon as the headers end, before any body byte is read.
    uint64_t max_body = std::numeric_limits<uint64_t>::max();
};

// What went wrong, with the status a server answers for it.
enum class ParseError {
    None,
    LineTooLong,      // 414
    HeadersTooLarge,  // 431
    BodyTooLarge,     // 413
    Malformed,        // 400: anything llhttp rejects, and EOF inside a message
};
int status_for(ParseError e) noexcept;

// Invariants: at most one message is in progress; its fields (method() ... body()) are those of
// the message being parsed or just completed, and are cleared when the next message's first byte
// arrives. After feed() returned Complete, the parser is paused exactly after that message: the
// next feed() (given the bytes after `consumed`) resumes it. After Upgrade it stays stopped until
// resume_after_upgrade(). After Error every further feed() returns Error again.
// Not movable: llhttp holds a pointer back to it.
class Parser {
public:
    enum class Kind { Request, Response };
    enum class Status {
        NeedMore,  // every byte was consumed; the message (if any) is not complete
        Complete,  // one message is complete; consumed stops right after it
        Upgrade,   // a complete message switches protocols: consumed marks the new bytes' start
        Error,     // see error(), error_status(), error_reason()
    };
    struct Result {
        size_t consumed;
        Status status;
    };
    // What end of stream means for the message in progress.
    enum class Eof {
        Idle,       // no byte of a message had arrived: a stale keep-alive connection, retryable
        Complete,   // a close-delimited body ended: the message is complete
        Truncated,  // end of stream inside the headers or a delimited body: an error
    };

    explicit Parser(Kind kind, const ParserLimits& limits = {});
    Parser(const Parser&) = delete;
    Parser& operator=(const Parser&) = delete;

    // Parses what it can of data. Exceptions from the body sink are rethrown here (the parser is
    // then in error).
    Result feed(const char* data, size_t len);
    Result feed(std::string_view data) { return feed(data.data(), data.size()); }
    // At end of stream. Resumes a paused parser first (llhttp ignores finish while paused).
    Eof finish();
    // After Upgrade, when the protocol switch was refused: parse the following bytes as HTTP.
    void resume_after_upgrade();

    // Response mode: whether the request the next response answers was a HEAD (no body then,
    // whatever Content-Length says). Holds until that response completes.
    void expect_head_response(bool head) noexcept { head_request_ = head; }
    // When set, body bytes go to sink as they arrive instead of into body() (the client decodes
    // gzip this way). The limits still count them. Set before feeding the message's body.
    void set_body_sink(std::function<void(std::string_view)> sink) { sink_ = std::move(sink); }

    // Whether a byte of a message has arrived and it is not complete yet.
    bool in_message() const noexcept { return in_message_; }
    // Whether the current message's headers are complete (its body may be pending).
    bool headers_complete() const noexcept { return headers_done_; }

    // The parsed message.
    std::string_view method() const noexcept;  // request mode: "GET", ...
    std::string& target() noexcept { return target_; }
    int status() const noexcept { return status_; }
    std::string& reason() noexcept { return reason_; }
    int version_major() const noexcept { return major_; }
    int version_minor() const noexcept { return minor_; }
    Headers& headers() noexcept { return headers_; }
    std::string& body() noexcept { return body_; }
    // Content-Length once the headers are complete (nullopt when absent).
    std::optional<uint64_t> content_length() const noexcept { return content_length_; }
    bool chunked() const noexcept { return chunked_; }
    // llhttp_should_keep_alive, taken when the headers and the message complete.
    bool keep_alive() const noexcept { return keep_alive_; }
    // Whether the message asks to switch protocols (Upgrade + Connection: upgrade, CONNECT,
    // or a 101 answer).
    bool upgrade() const noexcept { return upgrade_; }

    ParseError error() const noexcept { return error_; }
    int error_status() const noexcept { return status_for(error_); }
    // llhttp's reason or corio's ("header fields over 65536 bytes"), with llhttp's error name.
    const std::string& error_reason() const noexcept { return error_reason_; }

private:
    static int on_message_begin(llhttp_t* p);
    static int on_url(llhttp_t* p, const char* at, size_t n);
    static int on_status(llhttp_t* p, const char* at, size_t n);
    static int on_header_field(llhttp_t* p, const char* at, size_t n);
    static int on_header_field_complete(llhttp_t* p);
    static int on_header_value(llhttp_t* p, const char* at, size_t n);
    static int on_header_value_complete(llhttp_t* p);
    static int on_headers_complete(llhttp_t* p);
    static int on_body(llhttp_t* p, const char* at, size_t n);
    static int on_message_complete(llhttp_t* p);
    static const llhttp_settings_t& settings();

    int fail(ParseError e, std::string reason);
    bool count_header_bytes(size_t n);
    int append_line(std::string& to, const char* at, size_t n, const char* what);
    void take_llhttp_error(llhttp_errno_t err);

    llhttp_t llhttp_;
    Kind kind_;
    ParserLimits limits_;
    std::function<void(std::string_view)> sink_;
    std::exception_ptr sink_error_;

    std::string target_, reason_, body_;
    // The header field being received, in headers_ (its name and value arrive in pieces);
    // in_field_ while its name is still arriving.
    Headers::Field* field_ = nullptr;
    Headers headers_;
    std::optional<uint64_t> content_length_;
    uint64_t body_bytes_ = 0;
    size_t line_bytes_ = 0, header_bytes_ = 0, header_count_ = 0;
    int status_ = 0, major_ = 1, minor_ = 1;
    bool head_request_ = false, in_message_ = false, headers_done_ = false;
    bool in_field_ = false, chunked_ = false, keep_alive_ = false, upgrade_ = false;
    bool paused_ = false;     // stopped by us after a message; llhttp_resume before going on
    bool upgraded_ = false;   // stopped by llhttp at an upgrade
    bool finishing_ = false;  // inside llhttp_finish: nothing to pause before

    ParseError error_ = ParseError::None;
    std::string error_reason_;
};

}  // namespace corio::http::detail
