// http::Response's builders (text, redirect, not_found, switching_protocols), its content_type()
// and the standard reason phrases, which the server writes when a handler gives none.
#include "corio/http/response.hpp"

#include <stdexcept>

namespace corio::http {

std::string Response::content_type() const {
    auto v = headers.get("Content-Type");
    if (!v) return {};
    std::string_view t = v->substr(0, v->find(';'));
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
    std::string out(t);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    return out;
}

Response Response::text(int status, std::string body, std::string content_type) {
    Response r;
    r.status = status;
    r.body = std::move(body);
    r.headers.add("Content-Type", std::move(content_type));
    return r;
}

Response Response::redirect(int status, std::string location) {
    if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
        throw std::invalid_argument("http::Response::redirect: " + std::to_string(status) +
                                    " is not a redirect status (301, 302, 303, 307, 308)");
    }
    Response r = text(status, "Redirecting to " + location + "\n");
    r.headers.add("Location", std::move(location));
    return r;
}

Response Response::not_found() { return text(404, "Not Found\n"); }

Response Response::switching_protocols(Headers headers, Takeover takeover) {
    Response r;
    r.status = 101;
    r.headers = std::move(headers);
    r.takeover = std::move(takeover);
    return r;
}

std::string_view reason_phrase(int status) noexcept {
    switch (status) {
        case 100:
            return "Continue";
        case 101:
            return "Switching Protocols";
        case 200:
            return "OK";
        case 201:
            return "Created";
        case 202:
            return "Accepted";
        case 204:
            return "No Content";
        case 206:
            return "Partial Content";
        case 301:
            return "Moved Permanently";
        case 302:
            return "Found";
        case 303:
            return "See Other";
        case 304:
            return "Not Modified";
        case 307:
            return "Temporary Redirect";
        case 308:
            return "Permanent Redirect";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 408:
            return "Request Timeout";
        case 409:
            return "Conflict";
        case 410:
            return "Gone";
        case 411:
            return "Length Required";
        case 413:
            return "Content Too Large";
        case 414:
            return "URI Too Long";
        case 415:
            return "Unsupported Media Type";
        case 417:
            return "Expectation Failed";
        case 426:
            return "Upgrade Required";
        case 429:
            return "Too Many Requests";
        case 431:
            return "Request Header Fields Too Large";
        case 500:
            return "Internal Server Error";
        case 501:
            return "Not Implemented";
        case 502:
            return "Bad Gateway";
        case 503:
            return "Service Unavailable";
        case 504:
            return "Gateway Timeout";
        case 505:
            return "HTTP Version Not Supported";
        default:
            return {};
    }
}

}  // namespace corio::http
