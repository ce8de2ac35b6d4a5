// JSON lines for crawl's output and handoff files, with escaping that never emits invalid JSON
// or invalid UTF-8 whatever bytes a server sent back in a URL or a header.
#include "record.hpp"

#include <cstdio>

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

void append_number(std::string& out, double v) {
    char buf[32];
    int n = std::snprintf(buf, sizeof buf, "%.1f", v);
    out.append(buf, static_cast<size_t>(n));
}

void append_key(std::string& out, const char* key) {
    out += ",\"";
    out += key;
    out += "\":";
}

void append_optional(std::string& out, const std::optional<std::string>& v) {
    if (v) {
        append_json_string(out, *v);
    } else {
        out += "null";
    }
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    out += '"';
    for (size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            if (c == '"' || c == '\\') {
                out += '\\';
                out += static_cast<char>(c);
            } else if (c == '\n') {
                out += "\\n";
            } else if (c == '\r') {
                out += "\\r";
            } else if (c == '\t') {
                out += "\\t";
            } else if (c < 0x20 || c == 0x7F) {
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 15];
            } else {
                out += static_cast<char>(c);
            }
            ++i;
            continue;
        }
        size_t n = utf8_length(s, i);
        if (n == 0) {
            out += "\xEF\xBF\xBD";  // U+FFFD for this one byte; resynchronise at the next
            ++i;
        } else {
            out.append(s.substr(i, n));
            i += n;
        }
    }
    out += '"';
}

std::string to_json_line(const Record& r) {
    std::string out;
    out.reserve(160 + r.url.size() + r.final_url.size());
    out += "{\"url\":";
    append_json_string(out, r.url);
    append_key(out, "final_url");
    if (r.final_url.empty()) {
        out += "null";
    } else {
        append_json_string(out, r.final_url);
    }
    append_key(out, "status");
    out += r.status ? std::to_string(*r.status) : "null";
    append_key(out, "bytes");
    out += std::to_string(r.bytes);
    append_key(out, "content_type");
    append_optional(out, r.content_type);
    append_key(out, "elapsed_ms");
    append_number(out, r.elapsed_ms);
    append_key(out, "depth");
    out += std::to_string(r.depth);
    append_key(out, "error");
    append_optional(out, r.error);
    append_key(out, "retries");
    out += std::to_string(r.retries);
    append_key(out, "links");
    out += std::to_string(r.links);
    if (r.saved) {
        append_key(out, "saved");
        append_json_string(out, *r.saved);
    }
    out += "}\n";
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
