// Loading OpenSSL at run time (see openssl_lib.hpp): libssl by the soname of the headers it was
// built against, each function looked up once. Layer 6 (tls).
#include "openssl_lib.hpp"

#include <dlfcn.h>
#include <openssl/opensslv.h>

#include <string>

#include "corio/tls.hpp"

namespace corio::tls::detail {

namespace {

#define CORIO_STRINGIFY2(x) #x
#define CORIO_STRINGIFY(x) CORIO_STRINGIFY2(x)

// The libraries of the OpenSSL whose headers this was compiled with: another major version
// would not match the signatures above.
#if defined(__APPLE__)
constexpr const char* kSsl = "libssl." CORIO_STRINGIFY(OPENSSL_SHLIB_VERSION) ".dylib";
constexpr const char* kCrypto = "libcrypto." CORIO_STRINGIFY(OPENSSL_SHLIB_VERSION) ".dylib";
#else
constexpr const char* kSsl = "libssl.so." CORIO_STRINGIFY(OPENSSL_SHLIB_VERSION);
constexpr const char* kCrypto = "libcrypto.so." CORIO_STRINGIFY(OPENSSL_SHLIB_VERSION);
#endif

std::string dl_error() {
    const char* e = dlerror();
    return e ? e : "unknown error";
}

OpenSsl load() {
    // Never unloaded: SSL objects and callbacks may outlive any one user.
    void* ssl = dlopen(kSsl, RTLD_NOW | RTLD_LOCAL);
    if (!ssl) throw TlsError("cannot load OpenSSL for TLS (" + dl_error() + ")");
    void* crypto = dlopen(kCrypto, RTLD_NOW | RTLD_LOCAL);
    if (!crypto) throw TlsError("cannot load OpenSSL for TLS (" + dl_error() + ")");
    OpenSsl f{};
    auto find = [&](const char* name) {
        void* p = dlsym(ssl, name);
        if (!p) p = dlsym(crypto, name);
        if (!p) throw TlsError(std::string("OpenSSL lacks ") + name + " (" + kSsl + ")");
        return p;
    };
#define CORIO_OPENSSL_FIND(name) f.name = reinterpret_cast<decltype(f.name)>(find(#name));
    CORIO_OPENSSL_FUNCTIONS(CORIO_OPENSSL_FIND)
#undef CORIO_OPENSSL_FIND
    return f;
}

}  // namespace

const OpenSsl& lib() {
    // A failed load throws out of the initialiser, so the next call tries again.
    static const OpenSsl functions = load();
    return functions;
}

}  // namespace corio::tls::detail
