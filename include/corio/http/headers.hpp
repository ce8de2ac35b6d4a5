// http::Headers: the header fields of one message, in arrival order. Names compare without
// regard to case; a repeated name keeps every value (Set-Cookie), in order.
//
// Threads: a plain value, usable on any thread (const members may be shared). Nothing here
// throws but std::bad_alloc.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace corio::http {

// ASCII case-insensitive equality, as header names and URL schemes compare.
bool iequals(std::string_view a, std::string_view b) noexcept;

class Headers {
public:
    struct Field {
        std::string name;  // as received or added; compare with iequals
        std::string value;
    };

    Headers() = default;
    Headers(std::initializer_list<Field> fields) : fields_(fields) {}

    // The first value under name, or nullopt.
    std::optional<std::string_view> get(std::string_view name) const;
    // Every value under name, in order.
    std::vector<std::string_view> get_all(std::string_view name) const;
    bool contains(std::string_view name) const { return get(name).has_value(); }
    // Whether a comma-separated list under name (any of its fields) holds token, in any case:
    // has_token("Connection", "upgrade") is true for "keep-alive, Upgrade".
    bool has_token(std::string_view name, std::string_view token) const;

    // Appends a field (a repeated name is kept).
    void add(std::string name, std::string value);
    // Appends an empty field and returns it, to be filled in place: a parser's way, with no
    // copy or move of the name and value it receives in pieces.
    Field& add_empty() { return fields_.emplace_back(); }
    // Replaces every field under name by one (added at the end if there was none).
    void set(std::string name, std::string value);
    // Removes every field under name; returns how many.
    size_t remove(std::string_view name);
    void clear() noexcept { fields_.clear(); }
    // Room for n fields without reallocating (a parser filling a fresh Headers per message).
    void reserve(size_t n) { fields_.reserve(n); }

    size_t size() const noexcept { return fields_.size(); }
    bool empty() const noexcept { return fields_.empty(); }
    auto begin() const noexcept { return fields_.begin(); }
    auto end() const noexcept { return fields_.end(); }

private:
    std::vector<Field> fields_;
};

}  // namespace corio::http
