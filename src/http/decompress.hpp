// The client's Content-Encoding decoder: gzip (multi-member too) and deflate (zlib-wrapped or
// raw, as browsers accept both) through zlib. One Decoder lives with each pooled connection and
// is reset per response, so zlib's state and window are allocated once per connection.
#pragma once

#include <zlib.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace corio::http::detail {

enum class Coding { Identity, Gzip, Deflate, Unknown };

// The coding a Content-Encoding value names ("gzip", "x-gzip", "deflate", "identity" or none);
// Unknown for anything else (a list of codings included), which the client leaves encoded.
Coding coding_of(std::string_view content_encoding) noexcept;

// Invariant: between start() and finish(), z_ is initialised for the coding being decoded (or
// not yet, for deflate until its first two bytes tell zlib-wrapped from raw); out never grows
// past max + 1 bytes, so a bomb costs at most max bytes of memory.
class Decoder {
public:
    Decoder() = default;
    Decoder(const Decoder&) = delete;
    Decoder& operator=(const Decoder&) = delete;
    ~Decoder();

    // Begins a body in coding (not Identity or Unknown) whose decoded size may not pass max.
    void start(Coding coding, size_t max);
    // Decodes in and appends to out. Throws BodyTooLarge once out would pass max, and
    // ProtocolError for data that does not decode.
    void feed(std::string_view in, std::string& out);
    // The body ended: throws ProtocolError when the stream stopped inside a member. An empty
    // body decodes to nothing (servers send that for empty files).
    void finish();
    bool active() const noexcept { return coding_ != Coding::Identity; }

private:
    void init(int window_bits);
    void inflate_some(std::string_view& in, std::string& out);

    z_stream z_{};
    bool z_ready_ = false;  // inflateInit2 succeeded once (later bodies only reset)
    int window_bits_ = 0;   // what z_ was set up for
    Coding coding_ = Coding::Identity;
    size_t max_ = 0;
    size_t seen_ = 0;         // compressed bytes fed in this body
    bool in_member_ = false;  // inside a gzip member or deflate stream, not at its end
    bool trailing_ = false;   // past the last member: the rest of the body is ignored
    std::string head_;        // deflate: the first byte, held until the second tells the wrapping
};

}  // namespace corio::http::detail
