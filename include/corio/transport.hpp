// corio::Transport: a byte filter between a Stream's buffers and its socket (TLS is the one
// there is), and TransportFactory, which makes one per connection. Layer 5 interface: the net
// layer calls it and knows nothing of what implements it (src/tls does, through OpenSSL).
//
// Threads: a Transport is called by its stream on that stream's loop thread only; a
// TransportFactory from any thread (see below).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace corio {

// One connection's filter. It never touches the socket: the stream hands it the bytes that
// arrived and sends the bytes it appends to `out`, so the reactor stays in charge of all I/O.
// Every call may append to `out` (handshake records, alerts, tickets); the caller sends them
// in order after the call. Failures throw a ConnectionError subclass naming the peer; after
// one the transport is unusable and the stream should fail with that error.
class Transport {
public:
    virtual ~Transport() = default;

    // What the opening side sends first (a client's hello; nothing on a server).
    virtual void start(std::string& out) = 0;
    // Bytes from the socket: the plaintext they carry is appended to `plain`.
    virtual void receive(std::string_view wire, std::string& plain, std::string& out) = 0;
    // Plaintext to send. Before the handshake is done it is held, and goes out from a later
    // receive() once it is. start, receive, send and close throw per the class comment.
    virtual void send(std::string_view plain, std::string& out) = 0;
    // The socket reached end of stream. Throws unless that end is clean (for TLS: the peer's
    // close_notify came first); a stream that ends early must not look like a complete one.
    virtual void end_of_input() = 0;
    // The closing bytes (close_notify) to send before shutting the socket. Idempotent.
    virtual void close(std::string& out) = 0;

    // The handshake is done: data flows both ways. These three never throw.
    virtual bool ready() const noexcept = 0;
    // The peer ended its side cleanly (close_notify received): reads end here.
    virtual bool input_closed() const noexcept = 0;
    // The application protocol agreed on (ALPN: "http/1.1"), "" when none.
    virtual std::string_view protocol() const noexcept = 0;
};

// Shared by every connection of a client or server (ConnectOptions::tls,
// ServerOptions::tls); callable from any thread.
class TransportFactory {
public:
    virtual ~TransportFactory() = default;
    // A client passes the host name it dialled (server name indication and verification) and
    // its port; a server passes the peer's address and port (named in error messages only).
    // What it throws is the implementation's (corio::tls: TlsError).
    virtual std::unique_ptr<Transport> open(std::string_view host, uint16_t port) = 0;
};

}  // namespace corio
