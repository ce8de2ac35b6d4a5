// JSON lines for crawl's output and handoff files, with escaping that never emits invalid JSON
// or invalid UTF-8 whatever bytes a server sent back in a URL or a header.
#include "record.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace crawl {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when the bytes there are not one (RFC 3629:
// no overlongs, no surrogates, nothing past U+10FFFF).
size_t utf8_length(std::string_view s, size_t i) {
    auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
    auto cont = [&](size_t k) { return i + k < s.size() && (b(k) & 0xC0) == 0x80; };
    unsigned char c = b(0);
    if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (!cont(1) || !cont(2)) return 0;
        if (c == 0xE0 && b(1) < 0xA0) return 0;   // overlong
        if (c == 0xED && b(1) >= 0xA0) return 0;  // surrogate
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (!cont(1) || !cont(2) || !cont(3)) return 0;
        if (c == 0xF0 && b(1) < 0x90) return 0;   // overlong
        if (c == 0xF4 && b(1) >= 0x90) return 0;  // past U+10FFFF
        return 4;
    }
    return 0;
}

// A JSON line is written through a pointer into a buffer already sized for the worst case
// (json_line_bound), so no byte checks the capacity: the line costs about what copying it does.

// The most a JSON string of s takes: 6 bytes ("\u001f") per byte, and its quotes.
size_t string_bound(std::string_view s) { return 6 * s.size() + 2; }

template <size_t N>
char* put(char* o, const char (&text)[N]) {
    std::memcpy(o, text, N - 1);
    return o + N - 1;
}

char* put(char* o, std::string_view s) {
    if (s.empty()) return o;  // s.data() may be null
    std::memcpy(o, s.data(), s.size());
    return o + s.size();
}

constexpr size_t kIntBound = 24;
// "%.1f" of any double: up to 309 integer digits, a sign, ".d".
constexpr size_t kNumberBound = 320;

template <class Int>
char* put_int(char* o, Int v) {
    return std::to_chars(o, o + kIntBound, v).ptr;
}

// "%.1f" (exact, correctly rounded) without printf's cost. A latency (0 to 1e9 ms) is printed
// from its tenths: 10 * v is off by less than 1e-7 there, so unless it lies within 1e-6 of a
// half, its rounding is the exact value's. Near a half, and for anything else, to_chars decides.
char* put_number(char* o, double v) {
    if (v >= 0 && v < 1e9 && !std::signbit(v)) {
        const double t = v * 10;
        const double whole = std::floor(t);
        const double frac = t - whole;
        if (std::fabs(frac - 0.5) > 1e-6) {
            const auto tenths = static_cast<uint64_t>(whole) + (frac > 0.5 ? 1 : 0);
            o = std::to_chars(o, o + kIntBound, tenths / 10).ptr;
            *o++ = '.';
            *o++ = static_cast<char>('0' + tenths % 10);
            return o;
        }
    }
    return std::to_chars(o, o + kNumberBound, v, std::chars_format::fixed, 1).ptr;
}

// Whether byte c goes into a JSON string as it is (printable ASCII but '"' and '\\').
constexpr bool plain(unsigned char c) { return c >= 0x20 && c < 0x7F && c != '"' && c != '\\'; }

// Whether any of the 8 bytes in w is not plain (the bit tricks of "Bit Twiddling Hacks": a
// zero byte, a byte below n), so that a URL's plain run is found 8 bytes per step.
constexpr bool any_unplain(uint64_t w) {
    constexpr uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    auto has_zero = [](uint64_t v) { return ((v - ones) & ~v & highs) != 0; };
    return (w & highs) != 0 || ((w - 0x20 * ones) & ~w & highs) != 0 ||
           has_zero(w ^ (0x7F * ones)) || has_zero(w ^ (uint64_t('"') * ones)) ||
           has_zero(w ^ (uint64_t('\\') * ones));
}

// Writes s as a JSON string (see append_json_string); o has string_bound(s) bytes.
char* put_string(char* o, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    *o++ = '"';
    for (size_t i = 0; i < s.size();) {
        // Runs of plain bytes (all of a typical URL) are copied at once.
        size_t run = i;
        for (uint64_t w; run + 8 <= s.size(); run += 8) {
            std::memcpy(&w, s.data() + run, 8);
            if (any_unplain(w)) break;
        }
        while (run < s.size() && plain(static_cast<unsigned char>(s[run]))) ++run;
        o = put(o, s.substr(i, run - i));
        i = run;
        if (i == s.size()) break;
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            *o++ = '\\';
            if (c == '"' || c == '\\') {
                *o++ = static_cast<char>(c);
            } else if (c == '\n') {
                *o++ = 'n';
            } else if (c == '\r') {
                *o++ = 'r';
            } else if (c == '\t') {
                *o++ = 't';
            } else {  // the other control characters and DEL
                o = put(o, "u00");
                *o++ = hex[c >> 4];
                *o++ = hex[c & 15];
            }
            ++i;
            continue;
        }
        size_t n = utf8_length(s, i);
        if (n == 0) {
            o = put(o, "\xEF\xBF\xBD");  // U+FFFD for this one byte; resynchronise at the next
            ++i;
        } else {
            o = put(o, s.substr(i, n));
            i += n;
        }
    }
    *o++ = '"';
    return o;
}

char* put_optional(char* o, const std::optional<std::string>& v) {
    return v ? put_string(o, *v) : put(o, "null");
}

// Appends what write(o) writes, given at most bound bytes of it.
template <class Write>
void append_with(std::string& out, size_t bound, Write write) {
    size_t old = out.size();
    out.resize(old + bound);
    char* end = write(out.data() + old);
    out.resize(static_cast<size_t>(end - out.data()));
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
    append_with(out, string_bound(s), [&](char* o) { return put_string(o, s); });
}

size_t json_line_bound(const Record& r) {
    auto opt = [](const std::optional<std::string>& v) { return v ? string_bound(*v) : 4; };
    return 128 + string_bound(r.url) + string_bound(r.final_url) + opt(r.content_type) +
           opt(r.error) + opt(r.saved) + 5 * kIntBound + kNumberBound;
}

char* write_json_line(char* o, const Record& r) {
    o = put(o, "{\"url\":");
    o = put_string(o, r.url);
    o = put(o, ",\"final_url\":");
    o = r.final_url.empty() ? put(o, "null") : put_string(o, r.final_url);
    o = put(o, ",\"status\":");
    o = r.status ? put_int(o, *r.status) : put(o, "null");
    o = put(o, ",\"bytes\":");
    o = put_int(o, r.bytes);
    o = put(o, ",\"content_type\":");
    o = put_optional(o, r.content_type);
    o = put(o, ",\"elapsed_ms\":");
    o = put_number(o, r.elapsed_ms);
    o = put(o, ",\"depth\":");
    o = put_int(o, r.depth);
    o = put(o, ",\"error\":");
    o = put_optional(o, r.error);
    o = put(o, ",\"retries\":");
    o = put_int(o, r.retries);
    o = put(o, ",\"links\":");
    o = put_int(o, r.links);
    if (r.saved) {
        o = put(o, ",\"saved\":");
        o = put_string(o, *r.saved);
    }
    return put(o, "}\n");
}

void append_json_line(std::string& out, const Record& r) {
    append_with(out, json_line_bound(r), [&](char* o) { return write_json_line(o, r); });
}

std::string to_json_line(const Record& r) {
    std::string out;
    append_json_line(out, r);
    return out;
}

std::string handoff_line(std::string_view url, int depth, std::string_view from) {
    std::string out = "{\"url\":";
    append_json_string(out, url);
    out += ",\"depth\":";
    out += std::to_string(depth);
    out += ",\"from\":";
    append_json_string(out, from);
    out += "}\n";
    return out;
}

}  // namespace crawl
