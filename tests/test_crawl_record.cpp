// crawl's JSON lines (escaping that always yields valid JSON in valid UTF-8), its stable shard
// hash, and the compact de-duplication set.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <set>
#include <utility>
#include <vector>

#include "../tools/crawl/record.hpp"
#include "../tools/crawl/seen_set.hpp"
#include "../tools/crawl/shard.hpp"

namespace {

std::string quoted(std::string_view s) {
    std::string out;
    crawl::append_json_string(out, s);
    return out;
}

}  // namespace

TEST_CASE("JSON strings escape quotes, backslashes and control characters", "[crawl][json]") {
    REQUIRE(quoted("plain") == "\"plain\"");
    REQUIRE(quoted("a\"b\\c") == "\"a\\\"b\\\\c\"");
    REQUIRE(quoted("\n\r\t") == "\"\\n\\r\\t\"");
    REQUIRE(quoted(std::string("\0\x01\x1f\x7f", 4)) == "\"\\u0000\\u0001\\u001f\\u007f\"");
    REQUIRE(quoted("/path</script>") == "\"/path</script>\"");
    // Plain runs are scanned 8 bytes at a time: a byte to escape is found at every offset.
    const std::pair<std::string, std::string> specials[] = {{"\"", "\\\""},
                                                            {"\\", "\\\\"},
                                                            {"\n", "\\n"},
                                                            {std::string(1, '\0'), "\\u0000"},
                                                            {"\x1f", "\\u001f"},
                                                            {"\x7f", "\\u007f"},
                                                            {"\xc3\xa9", "\xc3\xa9"},
                                                            {" ", " "},
                                                            {"~", "~"}};
    for (size_t len = 0; len < 40; ++len) {
        for (size_t at = 0; at <= len; ++at) {
            for (const auto& [raw, escaped] : specials) {
                std::string text(len, 'a');
                for (size_t i = 0; i < len; ++i)
                    text[i] = char('!' + (i * 7) % 59);  // no '"' or '\\'
                for (char& c : text)
                    if (c == '"' || c == '\\') c = 'x';
                std::string in = text.substr(0, at) + raw + text.substr(at);
                std::string want = "\"" + text.substr(0, at) + escaped + text.substr(at) + "\"";
                REQUIRE(quoted(in) == want);
            }
        }
    }
}

TEST_CASE("JSON strings keep valid UTF-8 and replace invalid bytes", "[crawl][json]") {
    REQUIRE(quoted("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80") ==
            "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"");
    const std::string fffd = "\xEF\xBF\xBD";
    REQUIRE(quoted("\xFF") == "\"" + fffd + "\"");
    REQUIRE(quoted("\x80x") == "\"" + fffd + "x\"");                      // stray continuation byte
    REQUIRE(quoted("\xC0\xAF") == "\"" + fffd + fffd + "\"");             // overlong '/'
    REQUIRE(quoted("\xED\xA0\x80") == "\"" + fffd + fffd + fffd + "\"");  // surrogate
    REQUIRE(quoted("\xF4\x90\x80\x80") == "\"" + fffd + fffd + fffd + fffd + "\"");
    REQUIRE(quoted("\xE2\x82") == "\"" + fffd + fffd + "\"");  // truncated at the end
}

TEST_CASE("a record is one line with every key, null where nothing is known", "[crawl][json]") {
    crawl::Record r;
    r.url = "http://a.test/x";
    r.depth = 1;
    r.error = "refused";
    r.retries = 2;
    r.elapsed_ms = 12.345;
    REQUIRE(crawl::to_json_line(r) ==
            "{\"url\":\"http://a.test/x\",\"final_url\":null,\"status\":null,\"bytes\":0,"
            "\"content_type\":null,\"elapsed_ms\":12.3,\"depth\":1,\"error\":\"refused\","
            "\"retries\":2,\"links\":0}\n");
    r.final_url = "http://a.test/y";
    r.status = 200;
    r.bytes = 5;
    r.content_type = "text/html";
    r.error.reset();
    r.links = 3;
    r.saved = "d/abc";
    REQUIRE(crawl::to_json_line(r) ==
            "{\"url\":\"http://a.test/x\",\"final_url\":\"http://a.test/y\",\"status\":200,"
            "\"bytes\":5,\"content_type\":\"text/html\",\"elapsed_ms\":12.3,\"depth\":1,"
            "\"error\":null,\"retries\":2,\"links\":3,\"saved\":\"d/abc\"}\n");
    REQUIRE(crawl::handoff_line("http://b.test/\"", 2, "http://a.test/") ==
            "{\"url\":\"http://b.test/\\\"\",\"depth\":2,\"from\":\"http://a.test/\"}\n");
}

TEST_CASE("the shard hash is FNV-1a 64 of the lower-case authority, stable forever",
          "[crawl][shard]") {
    // Reference values of FNV-1a 64 (the published test vectors for "" and "a").
    REQUIRE(crawl::fnv1a64_lower("") == 0xcbf29ce484222325ull);
    REQUIRE(crawl::fnv1a64_lower("a") == 0xaf63dc4c8601ec8cull);
    REQUIRE(crawl::fnv1a64_lower("A") == 0xaf63dc4c8601ec8cull);
    REQUIRE(crawl::fnv1a64_lower("foobar") == 0x85944171f73967e8ull);
    REQUIRE(crawl::shard_of("Example.ORG", 7) == crawl::shard_of("example.org", 7));
    REQUIRE(crawl::shard_of("example.org", 7) == 0x0 + crawl::fnv1a64_lower("example.org") % 7);
    REQUIRE(crawl::shard_of("anything", 1) == 0);
    // Hosts spread over the shards and, within one shard, over the threads.
    std::vector<int> per_shard(4), per_thread(3);
    for (int i = 0; i < 4000; ++i) {
        std::string host = "host" + std::to_string(i) + ".test";
        per_shard[crawl::shard_of(host, 4)]++;
        if (crawl::shard_of(host, 4) == 1) per_thread[crawl::thread_of(host, 4, 3)]++;
    }
    for (int n : per_shard) REQUIRE(n > 800);
    for (int n : per_thread) REQUIRE(n > 200);
}

TEST_CASE("the seen set tells new URLs from known ones and grows as needed", "[crawl][seen]") {
    crawl::SeenSet set;
    REQUIRE_FALSE(set.contains("http://a/"));
    REQUIRE(set.insert("http://a/"));
    REQUIRE_FALSE(set.insert("http://a/"));
    REQUIRE(set.contains("http://a/"));
    for (int i = 0; i < 100000; ++i) REQUIRE(set.insert("http://h/" + std::to_string(i)));
    REQUIRE(set.size() == 100001);
    for (int i = 0; i < 100000; i += 997)
        REQUIRE_FALSE(set.insert("http://h/" + std::to_string(i)));
    REQUIRE_FALSE(set.contains("http://h/100000"));
    // At most 3/4 full, at least 3/8 after growing: about 8 to 21 bytes per URL.
    REQUIRE(set.memory_bytes() <= set.size() * 22);
    REQUIRE(set.size() * 4 <= set.capacity() * 3);
}

TEST_CASE("the seen set keeps hashes that collide in their slot and the hash 0", "[crawl][seen]") {
    crawl::SeenSet set;
    // Same low bits: one probe chain, each found, none confused with another.
    for (uint64_t k = 1; k <= 600; ++k) REQUIRE(set.insert_hash(k << 32));
    for (uint64_t k = 1; k <= 600; ++k) REQUIRE(set.contains_hash(k << 32));
    REQUIRE_FALSE(set.contains_hash(601ull << 32));
    REQUIRE(set.insert_hash(0));
    REQUIRE_FALSE(set.insert_hash(0));
    REQUIRE(set.contains_hash(0));
}

TEST_CASE("a record written into a buffer is the same line, whatever its bytes", "[crawl][json]") {
    crawl::Record r;
    // Worst cases for the buffer bound: every byte a \u00XX escape, or an invalid byte.
    r.url = std::string(300, '\x01');
    r.final_url = std::string(300, '\xFF');
    r.content_type = std::string(50, '"');
    r.error = std::string(40, '\x7F');
    r.saved = "d/\xE2\x82\xAC";
    r.status = -2147483647 - 1;
    r.bytes = UINT64_MAX;
    r.depth = 2147483647;
    r.retries = -1;
    r.links = SIZE_MAX;
    r.elapsed_ms = 1e300;  // "%.1f": 301 digits
    const std::string line = crawl::to_json_line(r);
    REQUIRE(line.find("\\u0001\\u0001") != std::string::npos);
    char printed[400];
    std::snprintf(printed, sizeof printed, ",\"elapsed_ms\":%.1f,", r.elapsed_ms);
    REQUIRE(line.find(printed) != std::string::npos);
    std::vector<char> buf(crawl::json_line_bound(r));
    char* end = crawl::write_json_line(buf.data(), r);
    REQUIRE(std::string(buf.data(), end) == line);
    std::string out = "before\n";
    crawl::append_json_line(out, r);
    REQUIRE(out == "before\n" + line);
    r = crawl::Record{};
    r.url = "http://a.test/";
    r.elapsed_ms = 0.05;  // printf's "%.1f" of the double nearest 0.05 (a hair above): 0.1
    REQUIRE(crawl::to_json_line(r).find("\"elapsed_ms\":0.1,") != std::string::npos);
    r.elapsed_ms = 0.25;  // exactly halfway: to even, as printf
    REQUIRE(crawl::to_json_line(r).find("\"elapsed_ms\":0.2,") != std::string::npos);
    // Latencies take a short path; it must print exactly what printf does, halves, values a
    // hair off a half, whole numbers, and large ones included.
    uint64_t x = 88172645463325252ull;
    auto check = [&](double v) {
        r.elapsed_ms = v;
        char printed[400];
        std::snprintf(printed, sizeof printed, "\"elapsed_ms\":%.1f,", v);
        INFO(printed);
        REQUIRE(crawl::to_json_line(r).find(printed) != std::string::npos);
    };
    for (int i = 0; i < 20000; ++i) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        double v = double(x % 2000000000) / 1e6;  // ns to ms, as the crawl computes it
        check(v);
        check(std::floor(v * 10) / 10 + 0.05);
        check(std::nextafter(std::floor(v) + 0.25, 0.0));
        check(std::floor(v) + 0.75);
        check(double(x % 1000000000000ull) / 7);
    }
    for (double v : {0.0, 0.04999999, 0.95, 9.95, 99.95, 999999999.95, 1e9, 1e15}) check(v);
}
