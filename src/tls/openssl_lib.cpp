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

// The library found where the build found OpenSSL (pkg-config's libdir), else by the soname
// alone, as the dynamic linker would.
void* open_library(const char* soname) {
#ifdef CORIO_OPENSSL_LIBDIR
    std::string there = std::string(CORIO_OPENSSL_LIBDIR) + "/" + soname;
    if (void* h = dlopen(there.c_str(), RTLD_NOW | RTLD_LOCAL)) return h;
#endif
    return dlopen(soname, RTLD_NOW | RTLD_LOCAL);
}

}  // namespace

OpenSsl load_openssl() {
    // Never unloaded: SSL objects and callbacks may outlive any one user.
    void* ssl = open_library(kSsl);
    if (!ssl) throw TlsError("cannot load OpenSSL for TLS (" + dl_error() + ")");
    void* crypto = open_library(kCrypto);
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

}  // namespace corio::tls::detail
