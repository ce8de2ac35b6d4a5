// classify_frame and take_payload (see fast_frame.hpp): header checks as strict as wslay's,
// unmasking eight bytes at a time and a UTF-8 check with an ASCII fast path.
#include "fast_frame.hpp"

#include <cstring>

namespace corio::ws::detail {

namespace {

// RFC 3629 well-formed UTF-8 (Unicode Table 3-7): no overlong forms, no surrogates, nothing past
// U+10FFFF. It must never accept what wslay's decoder rejects.
bool valid_utf8(const uint8_t* s, size_t n) {
    size_t i = 0;
    while (i < n) {
        if (i + 8 <= n) {
            uint64_t w;
            std::memcpy(&w, s + i, 8);
            if ((w & 0x8080808080808080ull) == 0) {
                i += 8;
                continue;
            }
        }
        uint8_t c = s[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        size_t len;
        uint8_t lo = 0x80, hi = 0xBF;  // the range of the second byte
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else {
            return false;
        }
        if (n - i < len) return false;
        if (s[i + 1] < lo || s[i + 1] > hi) return false;
        for (size_t k = 2; k < len; ++k)
            if ((s[i + k] & 0xC0) != 0x80) return false;
        i += len;
    }
    return true;
}

}  // namespace

FastFrame classify_frame(const uint8_t* p, size_t n, bool expect_masked, uint64_t max_payload,
                         FrameHead& head) {
    if (n == 0) return FastFrame::Slow;
    // FIN set, RSV clear, text or binary.
    if (p[0] != 0x81 && p[0] != 0x82) return FastFrame::Slow;
    if (n < 2) return FastFrame::Wait;
    bool masked = (p[1] & 0x80) != 0;
    if (masked != expect_masked) return FastFrame::Slow;
    uint64_t len = p[1] & 0x7F;
    size_t h = 2;
    if (len == 126) {
        if (n < 4) return FastFrame::Wait;
        len = (uint64_t(p[2]) << 8) | p[3];
        if (len < 126) return FastFrame::Slow;  // not minimal: wslay fails it
        h = 4;
    } else if (len == 127) {
        if (n < 10) return FastFrame::Wait;
        len = 0;
        for (int k = 2; k < 10; ++k) len = (len << 8) | p[k];
        if (len <= 0xFFFF || (len >> 63)) return FastFrame::Slow;
        h = 10;
    }
    if (len > max_payload) return FastFrame::Slow;  // wslay's 1009
    head.opcode = p[0] & 0x0F;
    head.mask = masked ? p + h : nullptr;
    if (masked) h += 4;
    head.header_size = h;
    head.payload_size = len;
    if (n < h || n - h < len) return FastFrame::Wait;
    return FastFrame::Ready;
}

uint64_t frame_size(const uint8_t* p, size_t n) {
    if (n < 2) return 0;
    uint64_t len = p[1] & 0x7F;
    size_t h = 2;
    if (len == 126) {
        if (n < 4) return 0;
        len = (uint64_t(p[2]) << 8) | p[3];
        h = 4;
    } else if (len == 127) {
        if (n < 10) return 0;
        len = 0;
        for (int k = 2; k < 10; ++k) len = (len << 8) | p[k];
        h = 10;
    }
    if (p[1] & 0x80) h += 4;
    if (len >> 62) return UINT64_MAX;
    return h + len;
}

bool take_payload(const uint8_t* p, const FrameHead& head, std::string& out) {
    const size_t n = static_cast<size_t>(head.payload_size);
    out.assign(reinterpret_cast<const char*>(p + head.header_size), n);
    if (head.mask) {
        uint8_t key8[8];
        std::memcpy(key8, head.mask, 4);
        std::memcpy(key8 + 4, head.mask, 4);
        uint64_t key;
        std::memcpy(&key, key8, 8);
        char* d = out.data();
        size_t i = 0;
        for (; i + 8 <= n; i += 8) {
            uint64_t w;
            std::memcpy(&w, d + i, 8);
            w ^= key;
            std::memcpy(d + i, &w, 8);
        }
        for (; i < n; ++i) d[i] = char(uint8_t(d[i]) ^ head.mask[i & 3]);
    }
    return head.opcode != 1 || valid_utf8(reinterpret_cast<const uint8_t*>(out.data()), n);
}

}  // namespace corio::ws::detail
