// Links out of an HTML page, read by gumbo's HTML5 parser the way a browser reads them: <a href>,
// <area href>, <link rel=next|prev href>, relative to the first <base href>. Comments, script and
// style text and <template> contents yield none.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "corio/http/url.hpp"

namespace crawl {

// Whether a media type (lower case, without parameters, as Response::content_type() gives it)
// is one whose links crawl follows: text/html and application/xhtml+xml.
bool is_html(std::string_view media_type);

// The media type of a Content-Type value: "Text/HTML; charset=utf-8" -> "text/html".
std::string media_type(std::string_view content_type);

// The http and https links of html fetched from page, resolved, without fragments, normalised
// (http::Url::normalized), each once, in document order. Links that do not resolve are
// skipped.
std::vector<std::string> extract_links(std::string_view html, const corio::http::Url& page);

}  // namespace crawl
