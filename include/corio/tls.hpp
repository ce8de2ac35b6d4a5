// corio::tls: TLS contexts (OpenSSL 3, driven through memory BIOs) that make the Transport of
// each connection, and the TLS errors. Layer 6: src/tls implements it; without TLS built in
// (make TLS=0) every function here throws TlsUnavailable.
//
// Threads: contexts are shared by every loop and thread: client_context, server_context,
// open(), cached_sessions() and reload() may be called from any thread. A Transport belongs to
// its stream, on that stream's loop thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "corio/error.hpp"
#include "corio/transport.hpp"

namespace corio::tls {

// A TLS failure: handshake refused, bad record, peer alert. Every message names the peer.
class TlsError : public ConnectionError {
public:
    using ConnectionError::ConnectionError;
};

// The peer's certificate was not accepted; reason() tells why.
class CertificateError : public TlsError {
public:
    enum class Reason { Expired, NotYetValid, WrongHost, UnknownCa, Other };
    CertificateError(const std::string& what, Reason r) : TlsError(what), reason_(r) {}
    Reason reason() const noexcept { return reason_; }

private:
    Reason reason_;
};

// The peer does not speak TLS at all (a plain-HTTP server on an https URL).
class NotTlsError : public TlsError {
public:
    using TlsError::TlsError;
};

// The connection ended without close_notify after the handshake: the data may be cut short.
class TruncatedError : public TlsError {
public:
    using TlsError::TlsError;
};

// corio was built without TLS (TLS=0); thrown by every function of this header.
class TlsUnavailable : public Error {
public:
    TlsUnavailable() : Error("TLS is not built in (corio was built with TLS=0)") {}
};

struct ClientOptions {
    // Trust the system's CA store (ca-certificates), and the CAs in ca_file (PEM) if given.
    bool system_trust = true;
    std::string ca_file;
    // No certificate or host-name check at all: anyone in the path can read and change the
    // traffic. For tests and debugging only.
    bool insecure = false;
    std::vector<std::string> alpn{"http/1.1"};
    // Sessions kept for resumption, one per host:port (0: no resumption).
    size_t session_cache_size = 256;
};

struct ServerOptions {
    std::string cert_file;  // PEM: the certificate, then its chain
    std::string key_file;   // PEM private key
    std::vector<std::string> alpn{"http/1.1"};
};

class ClientContext;
class ServerContext;

// Both throw TlsError when a file cannot be read or the certificate and key do not match.
std::shared_ptr<ClientContext> client_context(ClientOptions options = {});
std::shared_ptr<ServerContext> server_context(ServerOptions options);

// Makes client transports that verify the server (unless insecure) and resume sessions.
class ClientContext : public TransportFactory {
public:
    // Whether it was made with insecure = true; sessions cached now. Neither throws.
    virtual bool insecure() const noexcept = 0;
    virtual size_t cached_sessions() const = 0;
};

// Makes server transports. reload() reads the certificate and key files again; connections
// accepted afterwards use them, open ones keep theirs. On failure it throws TlsError and keeps
// the old.
class ServerContext : public TransportFactory {
public:
    virtual void reload() = 0;
};

// Whether t (made by a ClientContext or ServerContext) finished its handshake by resuming an
// earlier session instead of a full one; false for any other transport. Does not throw when
// TLS is built in.
bool session_resumed(const Transport& t);

}  // namespace corio::tls
