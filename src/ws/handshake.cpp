// The opening handshake's pure parts (RFC 6455 section 4): keys, request checks, answer
// checks. SHA-1 and base64 come from nettle.
#include "corio/ws/handshake.hpp"

#include <nettle/base64.h>
#include <nettle/sha1.h>

#include <cstdlib>

namespace corio::ws {

namespace {

constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

std::string base64(const uint8_t* data, size_t n) {
    std::string out(BASE64_ENCODE_RAW_LENGTH(n), '\0');
    base64_encode_raw(out.data(), n, data);
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

std::string accept_key(std::string_view key) {
    sha1_ctx ctx;
    sha1_init(&ctx);
    sha1_update(&ctx, key.size(), reinterpret_cast<const uint8_t*>(key.data()));
    sha1_update(&ctx, kGuid.size(), reinterpret_cast<const uint8_t*>(kGuid.data()));
    uint8_t digest[SHA1_DIGEST_SIZE];
    sha1_digest(&ctx, sizeof digest, digest);
    return base64(digest, sizeof digest);
}

std::string make_key() {
    uint8_t raw[16];
    arc4random_buf(raw, sizeof raw);
    return base64(raw, sizeof raw);
}

bool valid_key(std::string_view key) {
    if (key.size() != 24) return false;  // 16 bytes are 22 characters and "=="
    base64_decode_ctx ctx;
    base64_decode_init(&ctx);
    uint8_t raw[BASE64_DECODE_LENGTH(24)];
    size_t n = sizeof raw;
    if (!base64_decode_update(&ctx, &n, raw, key.size(), reinterpret_cast<const char*>(key.data())))
        return false;
    return base64_decode_final(&ctx) && n == 16;
}

UpgradeCheck check_upgrade(std::string_view method, const http::Headers& headers) {
    UpgradeCheck r;
    if (!headers.has_token("Upgrade", "websocket")) return r;  // plain HTTP (or h2c)
    r.is_websocket = true;
    r.status = 400;
    if (method != "GET") {
        r.error = "a WebSocket handshake must be a GET";
        return r;
    }
    if (!headers.has_token("Connection", "upgrade")) {
        r.error = "Connection header lacks the Upgrade token";
        return r;
    }
    auto versions = headers.get_all("Sec-WebSocket-Version");
    if (versions.size() != 1 || trim(versions[0]) != "13") {
        r.status = 426;
        r.error = "unsupported WebSocket version (13 is)";
        return r;
    }
    auto keys = headers.get_all("Sec-WebSocket-Key");
    if (keys.size() != 1 || !valid_key(trim(keys[0]))) {
        r.error = "Sec-WebSocket-Key is missing or not base64 of 16 bytes";
        return r;
    }
    r.ok = true;
    r.status = 101;
    r.accept = accept_key(trim(keys[0]));
    return r;
}

std::string select_subprotocol(const http::Headers& request,
                               const std::vector<std::string>& supported) {
    for (std::string_view field : request.get_all("Sec-WebSocket-Protocol")) {
        while (!field.empty()) {
            size_t comma = field.find(',');
            std::string_view offer = trim(field.substr(0, comma));
            for (const std::string& s : supported)
                if (s == offer) return s;
            if (comma == std::string_view::npos) break;
            field.remove_prefix(comma + 1);
        }
    }
    return {};
}

std::string check_accept(int status, const http::Headers& headers, std::string_view key) {
    if (status != 101) return "server answered " + std::to_string(status) + " instead of 101";
    if (!headers.has_token("Upgrade", "websocket")) return "answer lacks Upgrade: websocket";
    if (!headers.has_token("Connection", "upgrade")) return "answer lacks Connection: Upgrade";
    auto accept = headers.get("Sec-WebSocket-Accept");
    if (!accept || trim(*accept) != accept_key(key)) return "wrong Sec-WebSocket-Accept";
    if (headers.contains("Sec-WebSocket-Extensions"))
        return "server chose an extension that was not offered";
    return {};
}

}  // namespace corio::ws
