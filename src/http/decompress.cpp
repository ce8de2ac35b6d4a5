// Content-Encoding decoding for the client (see decompress.hpp). zlib writes into a small
// per-thread scratch block that is appended to the body, so the size limit is checked before
// the body grows: a gzip bomb is stopped after at most max + one scratch block of output.
#include "decompress.hpp"

#include <algorithm>
#include <string>

#include "corio/http/errors.hpp"
#include "corio/http/headers.hpp"

namespace corio::http::detail {

namespace {

constexpr size_t kScratch = 32 * 1024;

char* scratch() {
    thread_local char buf[kScratch];
    return buf;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// RFC 1950 section 2.2: a zlib stream starts with CM = 8 (deflate), a window of at most 32 KiB,
// and a check making CMF*256 + FLG a multiple of 31. Raw deflate rarely passes all three.
bool looks_zlib_wrapped(unsigned char cmf, unsigned char flg) {
    return (cmf & 0x0f) == 8 && (cmf >> 4) <= 7 && ((cmf << 8) | flg) % 31 == 0;
}

}  // namespace

Coding coding_of(std::string_view value) noexcept {
    value = trim(value);
    if (value.empty() || iequals(value, "identity")) return Coding::Identity;
    if (iequals(value, "gzip") || iequals(value, "x-gzip")) return Coding::Gzip;
    if (iequals(value, "deflate")) return Coding::Deflate;
    return Coding::Unknown;
}

Decoder::~Decoder() {
    if (z_ready_) inflateEnd(&z_);
}

void Decoder::init(int window_bits) {
    int rc;
    if (!z_ready_) {
        rc = inflateInit2(&z_, window_bits);
        z_ready_ = rc == Z_OK;
    } else {
        rc = inflateReset2(&z_, window_bits);
    }
    if (rc != Z_OK) throw ProtocolError("zlib could not start a decoder");
    window_bits_ = window_bits;
}

void Decoder::start(Coding coding, size_t max) {
    coding_ = coding;
    max_ = max;
    seen_ = 0;
    in_member_ = false;
    trailing_ = false;
    head_.clear();
    if (coding == Coding::Gzip) init(16 + MAX_WBITS);
    // Deflate waits for two bytes to know whether the stream is zlib-wrapped.
    if (coding == Coding::Deflate) window_bits_ = 0;
}

void Decoder::feed(std::string_view in, std::string& out) {
    if (coding_ == Coding::Identity || in.empty()) return;
    seen_ += in.size();
    if (coding_ == Coding::Deflate && window_bits_ == 0) {
        if (head_.size() + in.size() < 2) {
            head_.append(in);
            return;
        }
        unsigned char b0 = head_.empty() ? in[0] : head_[0];
        unsigned char b1 = head_.empty() ? in[1] : in[0];
        init(looks_zlib_wrapped(b0, b1) ? MAX_WBITS : -MAX_WBITS);
        if (!head_.empty()) {
            std::string_view first(head_);
            in_member_ = true;
            inflate_some(first, out);
            head_.clear();
        }
    }
    while (!in.empty() && !trailing_) {
        if (!in_member_) {
            // A finished gzip member may be followed by another (RFC 1952 section 2.2); what
            // follows a deflate stream, or bytes that cannot start a member, are padding some
            // servers add, ignored as browsers do.
            if (seen_ > in.size() && (coding_ != Coding::Gzip || in[0] != '\x1f')) {
                trailing_ = true;
                return;
            }
            if (seen_ > in.size()) init(window_bits_);
            in_member_ = true;
        }
        inflate_some(in, out);
    }
}

void Decoder::inflate_some(std::string_view& in, std::string& out) {
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z_.avail_in = static_cast<uInt>(in.size());
    char* buf = scratch();
    for (;;) {
        size_t room = std::min(kScratch, max_ - std::min(max_, out.size()) + 1);
        z_.next_out = reinterpret_cast<Bytef*>(buf);
        z_.avail_out = static_cast<uInt>(room);
        int rc = inflate(&z_, Z_NO_FLUSH);
        size_t produced = room - z_.avail_out;
        if (out.size() + produced > max_) {
            throw BodyTooLarge("response body over " + std::to_string(max_) +
                               " bytes once decoded (max_body_size)");
        }
        out.append(buf, produced);
        if (rc == Z_STREAM_END) {
            in_member_ = false;
            break;
        }
        if (rc == Z_BUF_ERROR) break;  // no progress possible without more input
        if (rc != Z_OK) {
            std::string why = z_.msg ? z_.msg : "invalid data";
            throw ProtocolError(std::string(coding_ == Coding::Gzip ? "gzip" : "deflate") +
                                " body does not decode: " + why);
        }
        if (z_.avail_in == 0 && z_.avail_out != 0) break;
    }
    in.remove_prefix(in.size() - z_.avail_in);
}

void Decoder::finish() {
    bool truncated = in_member_ || !head_.empty();
    Coding c = coding_;
    coding_ = Coding::Identity;
    if (truncated) {
        throw ProtocolError(std::string(c == Coding::Gzip ? "gzip" : "deflate") +
                            " body ends inside its compressed stream");
    }
}

}  // namespace corio::http::detail
