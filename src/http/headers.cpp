// http::Headers: a vector of fields searched linearly. Messages carry a dozen fields or so, where
// a scan over contiguous strings beats any map and keeps arrival order for free.
#include "corio/http/headers.hpp"

#include <algorithm>

namespace corio::http {

namespace {

char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

std::optional<std::string_view> Headers::get(std::string_view name) const {
    for (const auto& f : fields_)
        if (iequals(f.name, name)) return std::string_view(f.value);
    return std::nullopt;
}

std::vector<std::string_view> Headers::get_all(std::string_view name) const {
    std::vector<std::string_view> out;
    for (const auto& f : fields_)
        if (iequals(f.name, name)) out.emplace_back(f.value);
    return out;
}

bool Headers::has_token(std::string_view name, std::string_view token) const {
    for (const auto& f : fields_) {
        if (!iequals(f.name, name)) continue;
        std::string_view rest = f.value;
        while (!rest.empty()) {
            size_t comma = rest.find(',');
            if (iequals(trim(rest.substr(0, comma)), token)) return true;
            if (comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
        }
    }
    return false;
}

void Headers::add(std::string name, std::string value) {
    fields_.push_back({std::move(name), std::move(value)});
}

void Headers::set(std::string name, std::string value) {
    auto it = std::find_if(fields_.begin(), fields_.end(),
                           [&](const Field& f) { return iequals(f.name, name); });
    if (it == fields_.end()) {
        add(std::move(name), std::move(value));
        return;
    }
    // The one field left is the caller's, spelling of the name included.
    it->name = std::move(name);
    it->value = std::move(value);
    const std::string& kept = it->name;
    fields_.erase(std::remove_if(it + 1, fields_.end(),
                                 [&](const Field& f) { return iequals(f.name, kept); }),
                  fields_.end());
}

size_t Headers::remove(std::string_view name) {
    size_t before = fields_.size();
    fields_.erase(std::remove_if(fields_.begin(), fields_.end(),
                                 [&](const Field& f) { return iequals(f.name, name); }),
                  fields_.end());
    return before - fields_.size();
}

}  // namespace corio::http
