// Link extraction over gumbo's parse tree. The walk is iterative (deeply nested pages must not
// overflow the stack); the base URL applies to every link of the document, before or after the
// <base> element, as in browsers, so hrefs are gathered first and resolved at the end.
#include "links.hpp"

#include <gumbo.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <unordered_set>

namespace crawl {
namespace {

// ASCII whitespace as the HTML and URL standards define it.
bool html_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

// What a browser's URL parser does with an attribute value first: leading and trailing C0
// controls and spaces go, tabs and newlines anywhere go.
std::string clean_href(std::string_view v) {
    while (!v.empty() && static_cast<unsigned char>(v.front()) <= 0x20) v.remove_prefix(1);
    while (!v.empty() && static_cast<unsigned char>(v.back()) <= 0x20) v.remove_suffix(1);
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c != '\t' && c != '\n' && c != '\r') out += c;
    }
    return out;
}

bool has_rel_token(std::string_view rel) {
    size_t i = 0;
    while (i < rel.size()) {
        while (i < rel.size() && html_space(rel[i])) ++i;
        size_t start = i;
        while (i < rel.size() && !html_space(rel[i])) ++i;
        std::string tok(rel.substr(start, i - start));
        std::transform(tok.begin(), tok.end(), tok.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        if (tok == "next" || tok == "prev") return true;
    }
    return false;
}

const char* attribute(const GumboElement& el, const char* name) {
    const GumboAttribute* a = gumbo_get_attribute(&el.attributes, name);
    return a ? a->value : nullptr;
}

struct GumboOutputDeleter {
    void operator()(GumboOutput* out) const { gumbo_destroy_output(&kGumboDefaultOptions, out); }
};

}  // namespace

std::string media_type(std::string_view content_type) {
    size_t semi = content_type.find(';');
    std::string_view t = content_type.substr(0, semi);
    while (!t.empty() && html_space(t.front())) t.remove_prefix(1);
    while (!t.empty() && html_space(t.back())) t.remove_suffix(1);
    std::string out(t);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    return out;
}

bool is_html(std::string_view type) {
    return type == "text/html" || type == "application/xhtml+xml";
}

std::vector<std::string> extract_links(std::string_view html, const corio::http::Url& page) {
    std::unique_ptr<GumboOutput, GumboOutputDeleter> out(
        gumbo_parse_with_options(&kGumboDefaultOptions, html.data(), html.size()));
    std::vector<std::string> hrefs;
    const char* base_href = nullptr;
    std::vector<const GumboNode*> stack{out->root};
    while (!stack.empty()) {
        const GumboNode* node = stack.back();
        stack.pop_back();
        // GUMBO_NODE_TEMPLATE (inert contents), text, comments: nothing to follow.
        if (node->type != GUMBO_NODE_ELEMENT) continue;
        const GumboElement& el = node->v.element;
        const char* href = nullptr;
        switch (el.tag) {
            case GUMBO_TAG_A:
            case GUMBO_TAG_AREA:
                href = attribute(el, "href");
                break;
            case GUMBO_TAG_LINK:
                if (const char* rel = attribute(el, "rel"); rel && has_rel_token(rel)) {
                    href = attribute(el, "href");
                }
                break;
            case GUMBO_TAG_BASE:
                if (!base_href) base_href = attribute(el, "href");
                break;
            default:
                break;
        }
        if (href) hrefs.emplace_back(href);
        // Children pushed in reverse so the walk is in document order.
        for (unsigned i = el.children.length; i-- > 0;) {
            stack.push_back(static_cast<const GumboNode*>(el.children.data[i]));
        }
    }

    corio::http::Url base = page;
    if (base_href) {
        try {
            base = page.resolve(clean_href(base_href));
        } catch (const corio::http::UrlError&) {
            // A base that does not resolve is ignored, as browsers fall back to the document.
        }
    }
    std::vector<std::string> links;
    std::unordered_set<std::string> seen;
    for (const std::string& raw : hrefs) {
        try {
            corio::http::Url u = base.resolve(clean_href(raw));
            if (u.scheme() != "http" && u.scheme() != "https") continue;
            std::string s = u.normalized().str();
            if (seen.insert(s).second) links.push_back(std::move(s));
        } catch (const corio::http::UrlError&) {
        }
    }
    return links;
}

}  // namespace crawl
