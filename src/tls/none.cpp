// corio::tls without TLS built in (make TLS=0): the same functions as src/tls's other files,
// each throwing tls::TlsUnavailable ("TLS is not built in"), so https and wss fail clearly.
// Layer 6 (tls); needs no OpenSSL.
#include "corio/tls.hpp"

namespace corio::tls {

std::shared_ptr<ClientContext> client_context(ClientOptions) { throw TlsUnavailable(); }
std::shared_ptr<ServerContext> server_context(ServerOptions) { throw TlsUnavailable(); }
bool session_resumed(const Transport&) { throw TlsUnavailable(); }

}  // namespace corio::tls
