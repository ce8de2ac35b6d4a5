// Serialising responses for http::serve: see server_write.hpp. The status line and the Date are
// the only formatted parts; numbers go through to_chars into a stack buffer.
#include "http/server_write.hpp"

#include <charconv>
#include <ctime>

namespace corio::http::detail {

namespace {

void append_number(std::string& out, uint64_t v) {
    char buf[24];
    auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
    out.append(buf, static_cast<size_t>(end - buf));
}

bool server_owned(std::string_view name) {
    return iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
           iequals(name, "Connection");
}

}  // namespace

std::string_view http_date() {
    struct Cache {
        std::time_t second = -1;
        char text[40] = {};
        size_t size = 0;
    };
    thread_local Cache cache;
    std::time_t now = std::time(nullptr);
    if (now != cache.second) {
        std::tm tm{};
        gmtime_r(&now, &tm);
        cache.size = std::strftime(cache.text, sizeof cache.text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        cache.second = now;
    }
    return {cache.text, cache.size};
}

bool response_closes(const Response& r) { return r.headers.has_token("Connection", "close"); }

void append_head(std::string& out, const Response& r, const HeadOptions& o) {
    out.append("HTTP/1.1 ");
    append_number(out, static_cast<uint64_t>(r.status));
    out.push_back(' ');
    std::string_view reason = r.reason;
    if (reason.empty()) reason = reason_phrase(r.status);
    out.append(reason.empty() ? std::string_view("Unknown") : reason);
    out.append("\r\n");
    // A 101's Connection and Upgrade fields are the handler's: the server frames nothing.
    bool switching = r.status == 101;
    bool own_date = false, own_length = false;
    for (const auto& f : r.headers) {
        if (!switching && server_owned(f.name)) {
            if (o.head_request && iequals(f.name, "Content-Length")) {
                own_length = true;
            } else {
                continue;
            }
        }
        if (iequals(f.name, "Date")) own_date = true;
        out.append(f.name).append(": ").append(f.value).append("\r\n");
    }
    if (!own_date) out.append("Date: ").append(http_date()).append("\r\n");
    if (status_has_body(r.status) && !own_length) {
        out.append("Content-Length: ");
        append_number(out, r.body.size());
        out.append("\r\n");
    }
    if (!switching && o.close) {
        out.append("Connection: close\r\n");
    } else if (!switching && o.keep_alive) {
        out.append("Connection: keep-alive\r\n");
    }
    out.append("\r\n");
}

Response error_response(int status) {
    std::string body(reason_phrase(status));
    body.push_back('\n');
    return Response::text(status, std::move(body));
}

}  // namespace corio::http::detail
