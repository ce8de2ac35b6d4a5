// ws::connect: the opening handshake from the client's side, over TLS for wss://. The 101 head
// is read with read_until; whatever the server sent after it stays in the stream for the
// Connection.
#include "corio/ws/client.hpp"

#include <map>
#include <mutex>
#include <tuple>

#include "corio/connect.hpp"
#include "corio/http/errors.hpp"
#include "corio/http/url.hpp"
#include "corio/timeout.hpp"
#include "corio/tls.hpp"
#include "corio/ws/handshake.hpp"
#include "options.hpp"

namespace corio::ws {

namespace {

constexpr size_t kMaxHead = 16 * 1024;

struct Opened {
    Stream stream;
    std::string subprotocol;
};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// Status and headers of a response head ("HTTP/1.1 101 ...\r\n...\r\n\r\n").
int parse_head(std::string_view head, http::Headers& headers) {
    size_t eol = head.find("\r\n");
    std::string_view status_line = head.substr(0, eol);
    if (status_line.size() < 12 || status_line.substr(0, 5) != "HTTP/" || status_line[8] != ' ')
        throw InvalidHandshake("the server's answer is not HTTP");
    int status = 0;
    for (size_t i = 9; i < 12; ++i) {
        char c = status_line[i];
        if (c < '0' || c > '9') throw InvalidHandshake("the server's answer is not HTTP");
        status = status * 10 + (c - '0');
    }
    head.remove_prefix(eol + 2);
    while (!head.empty()) {
        eol = head.find("\r\n");
        std::string_view line = head.substr(0, eol);
        head.remove_prefix(eol == std::string_view::npos ? head.size() : eol + 2);
        if (line.empty()) break;
        size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0)
            throw InvalidHandshake("malformed header line in the server's answer", status);
        headers.add(std::string(line.substr(0, colon)), std::string(trim(line.substr(colon + 1))));
    }
    return status;
}

// The context of a wss:// connect: the caller's, else one shared per (system_trust, insecure,
// ca_file), so the trust store is read once and sessions resume across connects. Contexts are
// thread-safe; the map is bounded by dropping it all when full (a rare, harmless reload).
std::shared_ptr<TransportFactory> tls_context(const ConnectOptions& o, const http::Url& url) {
    if (o.tls) return o.tls;
    using Key = std::tuple<bool, bool, std::string>;
    static std::mutex mu;
    static std::map<Key, std::shared_ptr<TransportFactory>> shared;
    Key key{o.system_trust, o.insecure, o.ca_file};
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = shared.find(key); it != shared.end()) return it->second;
    std::shared_ptr<TransportFactory> made;
    try {
        made = tls::client_context(tls::ClientOptions{
            .system_trust = o.system_trust, .ca_file = o.ca_file, .insecure = o.insecure});
    } catch (const tls::TlsUnavailable&) {
        throw http::TlsUnavailable("cannot open " + url.str() +
                                   ": TLS is not built in (corio was built with TLS=0)");
    }
    if (shared.size() >= 16) shared.clear();
    shared.emplace(std::move(key), made);
    return made;
}

Coro<Opened> open_and_handshake(http::Url url, const ConnectOptions& o) {
    corio::ConnectOptions tcp;
    if (url.scheme() == "wss") {
        tcp.tls = tls_context(o, url);
        tcp.handshake_timeout = o.open_timeout;
    }
    Stream stream = co_await open_connection(url.host(), url.port(), std::move(tcp));
    std::string key = make_key();
    std::string req = "GET " + url.target() + " HTTP/1.1\r\nHost: " + url.authority() +
                      "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key +
                      "\r\nSec-WebSocket-Version: 13\r\n";
    if (!o.subprotocols.empty()) {
        req += "Sec-WebSocket-Protocol: ";
        for (size_t i = 0; i < o.subprotocols.size(); ++i)
            req += (i ? ", " : "") + o.subprotocols[i];
        req += "\r\n";
    }
    for (const auto& f : o.headers) req += f.name + ": " + f.value + "\r\n";
    req += "\r\n";
    stream.write(req);
    co_await stream.drain();
    std::string head;
    try {
        head = co_await stream.read_until("\r\n\r\n", kMaxHead);
    } catch (const IncompleteReadError&) {
        throw InvalidHandshake("the server closed the connection during the handshake");
    } catch (const LimitOverrunError&) {
        throw InvalidHandshake("the server's answer head is over 16 KiB");
    }
    http::Headers headers;
    int status = parse_head(head, headers);
    if (std::string why = check_accept(status, headers, key); !why.empty())
        throw InvalidHandshake("WebSocket handshake with " + url.str() + " failed: " + why, status);
    Opened opened{std::move(stream), {}};
    if (auto proto = headers.get("Sec-WebSocket-Protocol")) {
        for (const std::string& offered : o.subprotocols)
            if (offered == trim(*proto)) opened.subprotocol = offered;
        if (opened.subprotocol.empty())
            throw InvalidHandshake("the server chose a subprotocol that was not offered", status);
    }
    co_return opened;
}

}  // namespace

Coro<Connection> connect(std::string_view url) {
    ConnectOptions defaults;
    return connect(url, std::move(defaults));
}

Coro<Connection> connect(std::string_view url_text, ConnectOptions options) {
    http::Url url = http::Url::parse(url_text);
    if (url.scheme() != "ws" && url.scheme() != "wss")
        throw http::UrlError("not a WebSocket URL (ws:// or wss://): " + url.str());
    Opened opened = co_await wait_for(open_and_handshake(url, options), options.open_timeout);
    co_return Connection(std::move(opened.stream), {}, Role::Client,
                         detail::connection_options(options), url.target(),
                         std::move(opened.subprotocol));
}

}  // namespace corio::ws
