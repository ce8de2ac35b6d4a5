// detail::Parser over llhttp: the callbacks copy each piece into the message (pieces of one
// name, value or URL may arrive in several reads), count it against the limits, and pause after
// every message so that pipelined messages keep their boundaries.
#include "http/parser.hpp"

#include <cstring>

namespace corio::http::detail {

namespace {

Parser& self(llhttp_t* p) { return *static_cast<Parser*>(p->data); }

// Per-field overhead counted against max_header_bytes: ": " and CRLF.
constexpr size_t kFieldOverhead = 4;
constexpr size_t kKeepBody = 64 * 1024;

}  // namespace

int status_for(ParseError e) noexcept {
    switch (e) {
        case ParseError::None:
            return 0;
        case ParseError::LineTooLong:
            return 414;
        case ParseError::HeadersTooLarge:
            return 431;
        case ParseError::BodyTooLarge:
            return 413;
        case ParseError::Malformed:
            return 400;
    }
    return 400;
}

const llhttp_settings_t& Parser::settings() {
    static const llhttp_settings_t s = [] {
        llhttp_settings_t v;
        llhttp_settings_init(&v);
        v.on_message_begin = &Parser::on_message_begin;
        v.on_url = &Parser::on_url;
        v.on_status = &Parser::on_status;
        v.on_header_field = &Parser::on_header_field;
        v.on_header_field_complete = &Parser::on_header_field_complete;
        v.on_header_value = &Parser::on_header_value;
        v.on_header_value_complete = &Parser::on_header_value_complete;
        v.on_headers_complete = &Parser::on_headers_complete;
        v.on_body = &Parser::on_body;
        v.on_message_complete = &Parser::on_message_complete;
        return v;
    }();
    return s;
}

Parser::Parser(Kind kind, const ParserLimits& limits) : kind_(kind), limits_(limits) {
    llhttp_init(&llhttp_, kind == Kind::Request ? HTTP_REQUEST : HTTP_RESPONSE, &settings());
    llhttp_.data = this;
}

int Parser::fail(ParseError e, std::string reason) {
    if (error_ == ParseError::None) {
        error_ = e;
        error_reason_ = std::move(reason);
    }
    return HPE_USER;
}

bool Parser::count_header_bytes(size_t n) {
    header_bytes_ += n;
    if (header_bytes_ <= limits_.max_header_bytes) return true;
    fail(ParseError::HeadersTooLarge,
         "header fields over " + std::to_string(limits_.max_header_bytes) + " bytes");
    return false;
}

int Parser::on_message_begin(llhttp_t* p) {
    Parser& s = self(p);
    s.in_message_ = true;
    s.headers_done_ = false;
    s.chunked_ = s.upgrade_ = s.keep_alive_ = false;
    s.content_length_.reset();
    s.status_ = 0;
    s.body_bytes_ = 0;
    s.line_bytes_ = s.header_bytes_ = s.header_count_ = 0;
    s.target_.clear();
    s.reason_.clear();
    // A big body's storage is not kept for the next message (an idle connection stays small).
    if (s.body_.capacity() > kKeepBody) {
        std::string().swap(s.body_);
    } else {
        s.body_.clear();
    }
    s.field_ = nullptr;
    s.in_field_ = false;
    s.headers_.clear();
    // The last message's fields were moved out with its Headers: without room made once here,
    // a typical response's 5 to 10 fields reallocate the vector four times.
    s.headers_.reserve(16);
    return 0;
}

int Parser::append_line(std::string& to, const char* at, size_t n, const char* what) {
    line_bytes_ += n;
    if (line_bytes_ > limits_.max_line) {
        return fail(ParseError::LineTooLong,
                    std::string(what) + " over " + std::to_string(limits_.max_line) + " bytes");
    }
    to.append(at, n);
    return 0;
}

int Parser::on_url(llhttp_t* p, const char* at, size_t n) {
    Parser& s = self(p);
    return s.append_line(s.target_, at, n, "request target");
}

int Parser::on_status(llhttp_t* p, const char* at, size_t n) {
    Parser& s = self(p);
    return s.append_line(s.reason_, at, n, "status line");
}

// After the headers, fields are trailers (of a chunked body): counted, then dropped.
int Parser::on_header_field(llhttp_t* p, const char* at, size_t n) {
    Parser& s = self(p);
    if (!s.count_header_bytes(n)) return HPE_USER;
    if (s.headers_done_) return 0;  // trailers are dropped
    // The name may come in pieces: the first one opens the field, filled in place.
    if (!s.in_field_) {
        s.field_ = &s.headers_.add_empty();
        s.in_field_ = true;
    }
    s.field_->name.append(at, n);
    return 0;
}

int Parser::on_header_field_complete(llhttp_t* p) {
    Parser& s = self(p);
    if (++s.header_count_ > s.limits_.max_header_count) {
        s.fail(ParseError::HeadersTooLarge,
               "more than " + std::to_string(s.limits_.max_header_count) + " header fields");
        return -1;
    }
    if (!s.count_header_bytes(kFieldOverhead)) return -1;
    s.in_field_ = false;
    return 0;
}

int Parser::on_header_value(llhttp_t* p, const char* at, size_t n) {
    Parser& s = self(p);
    if (!s.count_header_bytes(n)) return HPE_USER;
    if (!s.headers_done_ && s.field_) s.field_->value.append(at, n);
    return 0;
}

int Parser::on_header_value_complete(llhttp_t* p) {
    self(p).field_ = nullptr;  // the next name opens the next field
    return 0;
}

int Parser::on_headers_complete(llhttp_t* p) {
    Parser& s = self(p);
    s.headers_done_ = true;
    s.major_ = p->http_major;
    s.minor_ = p->http_minor;
    s.status_ = p->status_code;
    s.chunked_ = (p->flags & F_CHUNKED) != 0;
    if (p->flags & F_CONTENT_LENGTH) s.content_length_ = p->content_length;
    s.keep_alive_ = llhttp_should_keep_alive(p) != 0;
    s.upgrade_ = p->upgrade != 0;
    if (s.kind_ == Kind::Response) {
        // llhttp would wait for a body these answers never have (notes E.2, http-parser #251).
        int st = s.status_;
        if (s.head_request_ || (st >= 100 && st < 200) || st == 204 || st == 304) return 1;
    }
    if (s.content_length_ && *s.content_length_ > s.limits_.max_body && !s.chunked_) {
        s.fail(ParseError::BodyTooLarge, "Content-Length " + std::to_string(*s.content_length_) +
                                             " over the limit of " +
                                             std::to_string(s.limits_.max_body) + " bytes");
        return -1;
    }
    return 0;
}

int Parser::on_body(llhttp_t* p, const char* at, size_t n) {
    Parser& s = self(p);
    s.body_bytes_ += n;
    if (s.body_bytes_ > s.limits_.max_body) {
        return s.fail(ParseError::BodyTooLarge,
                      "body over " + std::to_string(s.limits_.max_body) + " bytes");
    }
    if (!s.sink_) {
        s.body_.append(at, n);
        return 0;
    }
    // The sink is user code, and exceptions must not unwind through llhttp's C frames.
    try {
        s.sink_(std::string_view(at, n));
    } catch (...) {
        s.sink_error_ = std::current_exception();
        return s.fail(ParseError::Malformed, "body sink failed");
    }
    return 0;
}

int Parser::on_message_complete(llhttp_t* p) {
    Parser& s = self(p);
    // Flags are reset right after this callback: read keep-alive now.
    s.keep_alive_ = llhttp_should_keep_alive(p) != 0;
    if (s.kind_ == Kind::Response && s.status_ >= 100 && s.status_ < 200 && s.status_ != 101) {
        // An interim answer (100 Continue, 103 Early Hints): the real one follows. The message
        // stays "in progress", so EOF now is a truncation, not an idle close.
        s.headers_done_ = false;
        return 0;
    }
    s.in_message_ = false;
    s.head_request_ = false;
    // An upgrade makes llhttp stop with HPE_PAUSED_UPGRADE right after this; at EOF there is
    // nothing left to stop before.
    if (s.upgrade_ || s.finishing_) return 0;
    s.paused_ = true;
    return HPE_PAUSED;
}

void Parser::take_llhttp_error(llhttp_errno_t err) {
    std::string why = llhttp_errno_name(err);
    const char* reason = llhttp_get_error_reason(&llhttp_);
    if (reason && *reason) why += std::string(": ") + reason;
    if (error_ == ParseError::None) {
        error_ = ParseError::Malformed;
        error_reason_ = std::move(why);
    }
}

Parser::Result Parser::feed(const char* data, size_t len) {
    if (error_ != ParseError::None) return {0, Status::Error};
    if (upgraded_) return {0, Status::Upgrade};
    if (paused_) {
        llhttp_resume(&llhttp_);
        paused_ = false;
    }
    llhttp_errno_t err = llhttp_execute(&llhttp_, data, len);
    if (sink_error_) {
        std::exception_ptr e = std::move(sink_error_);
        sink_error_ = nullptr;
        std::rethrow_exception(e);
    }
    auto stopped_at = [&] {
        const char* pos = llhttp_get_error_pos(&llhttp_);
        if (pos == nullptr || pos < data || pos > data + len) return len;
        return static_cast<size_t>(pos - data);
    };
    switch (err) {
        case HPE_OK:
            return {len, Status::NeedMore};
        case HPE_PAUSED:
            return {stopped_at(), Status::Complete};
        case HPE_PAUSED_UPGRADE:
            upgraded_ = true;
            in_message_ = false;
            return {stopped_at(), Status::Upgrade};
        default:
            take_llhttp_error(err);
            return {stopped_at(), Status::Error};
    }
}

void Parser::resume_after_upgrade() {
    if (!upgraded_) return;
    upgraded_ = false;
    llhttp_resume_after_upgrade(&llhttp_);
}

Parser::Eof Parser::finish() {
    if (error_ != ParseError::None) return Eof::Truncated;
    if (upgraded_) return Eof::Idle;
    // llhttp_finish does nothing while paused (notes E.2).
    if (paused_) {
        llhttp_resume(&llhttp_);
        paused_ = false;
    }
    if (!in_message_) return Eof::Idle;
    finishing_ = true;
    llhttp_errno_t err = llhttp_finish(&llhttp_);
    finishing_ = false;
    if (err == HPE_OK && !in_message_) return Eof::Complete;
    if (err != HPE_OK) {
        take_llhttp_error(err);
    } else {
        fail(ParseError::Malformed, "end of stream inside a message");
    }
    error_reason_ = "end of stream inside a message (" + error_reason_ + ")";
    return Eof::Truncated;
}

std::string_view Parser::method() const noexcept {
    if (kind_ != Kind::Request) return {};
    return llhttp_method_name(static_cast<llhttp_method_t>(llhttp_.method));
}

}  // namespace corio::http::detail
