// Parsing wsserver's flags: numbers are checked whole and in range, seconds may be fractional.
#include "options.hpp"

#include <charconv>
#include <cmath>

namespace wsserver {

namespace {

uint64_t parse_count(const std::string& flag, const std::string& v, uint64_t lo, uint64_t hi) {
    uint64_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || end != v.data() + v.size() || n < lo || n > hi)
        throw UsageError(flag + " wants a whole number from " + std::to_string(lo) + " to " +
                         std::to_string(hi) + ", not '" + v + "'");
    return n;
}

std::chrono::milliseconds parse_seconds(const std::string& flag, const std::string& v) {
    double s = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), s);
    if (ec != std::errc() || end != v.data() + v.size() || !std::isfinite(s) || s < 0 || s > 86400)
        throw UsageError(flag + " wants seconds (0 to 86400, 0 turns it off), not '" + v + "'");
    return std::chrono::milliseconds(std::llround(s * 1000));
}

}  // namespace

const char* usage() {
    return "usage: wsserver [--host 127.0.0.1] [--port 8765] [--max-size BYTES]\n"
           "                [--ping-interval S] [--ping-timeout S] [--max-connections N]\n"
           "                [--threads N] [--quiet]\n"
           "\n"
           "A WebSocket server: text \"ping\" is answered \"pong\", \"time\" the current time\n"
           "(ISO 8601), anything else is echoed back as it came. A plain HTTP GET gets a\n"
           "page that tries it from the browser.\n"
           "\n"
           "  --host H             address to listen on (default 127.0.0.1)\n"
           "  --port N             port (default 8765; 0 picks a free one)\n"
           "  --max-size BYTES     largest message accepted (default 1048576; over: close 1009)\n"
           "  --ping-interval S    keepalive ping every S seconds (default 20; 0: none)\n"
           "  --ping-timeout S     drop a client whose pong is S seconds late (default 20)\n"
           "  --max-connections N  connections served at once, others wait (default 0: no limit)\n"
           "  --threads N          N event loops sharing the port with SO_REUSEPORT (default 1)\n"
           "  --cert FILE          serve wss:// (TLS): the certificate, then its chain (PEM)\n"
           "  --key FILE           the certificate's private key (PEM); --cert and --key go\n"
           "                       together\n"
           "  --quiet              no log line per connection\n"
           "  --help               this text\n"
           "\n"
           "SIGINT/SIGTERM close every connection with 1001 and exit; a second one exits at "
           "once.\n"
           "With --cert, SIGHUP reads the certificate and key files again: new connections use\n"
           "them, open ones keep theirs, and a bad file keeps the old ones.\n";
}

Options parse_options(const std::vector<std::string>& args) {
    Options o;
    for (size_t i = 0; i < args.size(); ++i) {
        std::string flag = args[i], value;
        bool inline_value = false;
        if (size_t eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
            value = flag.substr(eq + 1);
            flag.resize(eq);
            inline_value = true;
        }
        if (flag == "--help" || flag == "-h") {
            o.help = true;
            continue;
        }
        if (flag == "--quiet" || flag == "-q") {
            if (inline_value) throw UsageError("--quiet takes no value");
            o.quiet = true;
            continue;
        }
        bool known = flag == "--host" || flag == "--port" || flag == "--max-size" ||
                     flag == "--ping-interval" || flag == "--ping-timeout" ||
                     flag == "--max-connections" || flag == "--threads" || flag == "--cert" ||
                     flag == "--key";
        if (!known) throw UsageError("unknown option '" + args[i] + "'");
        if (!inline_value) {
            if (i + 1 >= args.size()) throw UsageError(flag + " needs a value");
            value = args[++i];
        }
        if (flag == "--host") {
            if (value.empty()) throw UsageError("--host needs an address");
            o.host = value;
        } else if (flag == "--port") {
            o.port = static_cast<uint16_t>(parse_count(flag, value, 0, 65535));
        } else if (flag == "--max-size") {
            o.max_size = parse_count(flag, value, 1, uint64_t(1) << 31);
        } else if (flag == "--ping-interval") {
            o.ping_interval = parse_seconds(flag, value);
        } else if (flag == "--ping-timeout") {
            o.ping_timeout = parse_seconds(flag, value);
        } else if (flag == "--cert" || flag == "--key") {
            if (value.empty()) throw UsageError(flag + " needs a file name");
            (flag == "--cert" ? o.cert_file : o.key_file) = value;
        } else if (flag == "--max-connections") {
            o.max_connections = parse_count(flag, value, 0, 10000000);
        } else {
            o.threads = static_cast<unsigned>(parse_count(flag, value, 1, 256));
        }
    }
    if (o.cert_file.empty() != o.key_file.empty())
        throw UsageError(o.cert_file.empty() ? "--key needs --cert too (the certificate file)"
                                             : "--cert needs --key too (the private key file)");
    return o;
}

}  // namespace wsserver
