// Parsing crawl's flags: "--flag value", "--flag=value", "-c 10" and "-c10" forms; numbers are
// checked strictly (no trailing junk, no negatives where they make no sense).
#include "options.hpp"

#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string_view>

#include "corio/http/client.hpp"

namespace crawl {
namespace {

template <class T>
T parse_int(std::string_view flag, std::string_view text, T min, T max) {
    T v{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty() || v < min ||
        v > max) {
        throw UsageError(std::string(flag) + ": expected a whole number from " +
                         std::to_string(min) + " to " + std::to_string(max) + ", got '" +
                         std::string(text) + "'");
    }
    return v;
}

double parse_seconds(std::string_view flag, std::string_view text) {
    std::string s(text);
    char* end = nullptr;
    double v = s.empty() ? NAN : std::strtod(s.c_str(), &end);
    if (s.empty() || *end != '\0' || !std::isfinite(v) || v < 0 || v > 86400) {
        throw UsageError(std::string(flag) + ": expected seconds (e.g. 2.5), got '" + s + "'");
    }
    return v;
}

// "K/N" or "auto/N" (K from JOB_COMPLETION_INDEX, as a Kubernetes Indexed Job sets it).
void parse_shard(std::string_view text, const EnvFn& env, Options& o) {
    auto slash = text.find('/');
    if (slash == std::string_view::npos) {
        throw UsageError("--shard: expected K/N or auto/N, got '" + std::string(text) + "'");
    }
    o.shard_count = parse_int<uint32_t>("--shard N", text.substr(slash + 1), 1, 1u << 20);
    std::string_view k = text.substr(0, slash);
    std::string index;
    if (k == "auto") {
        auto v = env("JOB_COMPLETION_INDEX");
        if (!v) throw UsageError("--shard auto/N: JOB_COMPLETION_INDEX is not set");
        index = *v;
    } else {
        index = std::string(k);
    }
    o.shard_index = parse_int<uint32_t>("--shard K", index, 0, o.shard_count - 1);
}

std::pair<std::string, std::string> parse_header(std::string_view text) {
    auto colon = text.find(':');
    if (colon == 0 || colon == std::string_view::npos) {
        throw UsageError("--header: expected 'Name: value', got '" + std::string(text) + "'");
    }
    std::string_view name = text.substr(0, colon), value = text.substr(colon + 1);
    for (char c : name) {
        if (c <= ' ' || c >= 127 ||
            std::string_view("()<>@,;:\\\"/[]?={}").find(c) != std::string_view::npos) {
            throw UsageError("--header: bad header name '" + std::string(name) + "'");
        }
    }
    for (char c : value) {
        if (c == '\r' || c == '\n' || c == '\0') {
            throw UsageError("--header: line breaks are not allowed in '" + std::string(name) +
                             "'");
        }
    }
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
        value.remove_prefix(1);
    }
    return {std::string(name), std::string(value)};
}

// Flags that take no value.
bool apply_switch(std::string_view name, Options& o) {
    if (name == "--help" || name == "-h")
        o.help = true;
    else if (name == "--same-host")
        o.same_host = true;
    else if (name == "--any-host")
        o.same_host = false;
    else if (name == "--ignore-robots")
        o.ignore_robots = true;
    else if (name == "--quiet" || name == "-q")
        o.quiet = true;
    else if (name == "--no-progress")
        o.progress = false;
    else if (name == "--fail-on-http-error")
        o.fail_on_http_error = true;
    else if (name == "--insecure")
        o.insecure = true;
    else
        return false;
    return true;
}

bool takes_value(std::string_view name) {
    static constexpr std::string_view with_value[] = {"-i",
                                                      "--input",
                                                      "-c",
                                                      "--concurrency",
                                                      "--per-host",
                                                      "--timeout",
                                                      "--connect-timeout",
                                                      "--read-timeout",
                                                      "--retries",
                                                      "--user-agent",
                                                      "-H",
                                                      "--header",
                                                      "--depth",
                                                      "--max-pages",
                                                      "--delay",
                                                      "-o",
                                                      "--output",
                                                      "--save",
                                                      "--shard",
                                                      "--handoff",
                                                      "--threads",
                                                      "--max-body-size",
                                                      "--max-redirects",
                                                      "--cacert"};
    for (auto n : with_value) {
        if (n == name) return true;
    }
    return false;
}

void apply_value(std::string_view name, std::string_view v, const EnvFn& env, Options& o) {
    constexpr size_t kMax = 1u << 20;
    if (name == "-i" || name == "--input")
        o.input = std::string(v);
    else if (name == "-c" || name == "--concurrency")
        o.concurrency = parse_int<size_t>(name, v, 1, kMax);
    else if (name == "--per-host")
        o.per_host = parse_int<size_t>(name, v, 0, kMax);
    else if (name == "--timeout")
        o.timeout = parse_seconds(name, v);
    else if (name == "--connect-timeout")
        o.connect_timeout = parse_seconds(name, v);
    else if (name == "--read-timeout")
        o.read_timeout = parse_seconds(name, v);
    else if (name == "--retries")
        o.retries = parse_int<int>(name, v, 0, 100);
    else if (name == "--user-agent")
        o.user_agent = std::string(v);
    else if (name == "-H" || name == "--header")
        o.headers.push_back(parse_header(v));
    else if (name == "--depth")
        o.depth = parse_int<int>(name, v, 0, 1000);
    else if (name == "--max-pages")
        o.max_pages = parse_int<size_t>(name, v, 0, SIZE_MAX);
    else if (name == "--delay")
        o.delay = parse_seconds(name, v);
    else if (name == "-o" || name == "--output")
        o.output = std::string(v);
    else if (name == "--save")
        o.save_dir = std::string(v);
    else if (name == "--shard")
        parse_shard(v, env, o);
    else if (name == "--handoff")
        o.handoff = std::string(v);
    else if (name == "--threads")
        o.threads = parse_int<int>(name, v, 1, 256);
    else if (name == "--max-body-size")
        o.max_body_size = parse_int<size_t>(name, v, 1, SIZE_MAX);
    else if (name == "--max-redirects")
        o.max_redirects = parse_int<int>(name, v, 0, 100);
    else if (name == "--cacert")
        o.cacert = std::string(v);
}

}  // namespace

Options parse_options(const std::vector<std::string>& args, const EnvFn& env) {
    Options o;
    bool only_positional = false;
    for (size_t i = 0; i < args.size(); ++i) {
        std::string_view a = args[i];
        if (only_positional || a.empty() || a[0] != '-' || a == "-") {
            if (a.empty()) throw UsageError("an empty URL argument");
            o.urls.emplace_back(a);
            continue;
        }
        if (a == "--") {
            only_positional = true;
            continue;
        }
        if (apply_switch(a, o)) continue;
        std::string_view name = a, value;
        bool has_value = false;
        if (auto eq = a.find('='); a.starts_with("--") && eq != std::string_view::npos) {
            name = a.substr(0, eq);
            value = a.substr(eq + 1);
            has_value = true;
        } else if (!a.starts_with("--") && a.size() > 2) {  // -c10, -ofile
            name = a.substr(0, 2);
            value = a.substr(2);
            has_value = true;
        }
        if (!takes_value(name)) {
            if (has_value && (apply_switch(name, o))) {
                throw UsageError(std::string(name) + " takes no value");
            }
            throw UsageError("unknown option '" + std::string(a) + "' (see --help)");
        }
        if (!has_value) {
            if (i + 1 >= args.size()) throw UsageError(std::string(name) + " needs a value");
            value = args[++i];
        }
        apply_value(name, value, env, o);
    }
    if (o.help) return o;
    if (o.urls.empty() && o.input.empty()) {
        throw UsageError("no URL given: pass URLs as arguments or -i FILE (see --help)");
    }
    if (!o.handoff.empty() && o.shard_count == 1) {
        throw UsageError("--handoff only makes sense with --shard K/N");
    }
    // Found now rather than as the same TLS error on every https URL of the crawl.
    if (!o.cacert.empty() && ::access(o.cacert.c_str(), R_OK) != 0) {
        throw UsageError("--cacert: cannot read '" + o.cacert + "'");
    }
    return o;
}

void apply_tls(const Options& o, corio::http::ClientOptions& c) {
    c.ca_file = o.cacert;
    c.insecure = o.insecure;
}

}  // namespace crawl
