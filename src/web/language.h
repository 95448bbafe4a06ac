// SPDX-License-Identifier: AGPL-3.0-or-later
// web/language.h: the two languages source pages are offered in, their URL
// codes and text direction, and how digits and numbers are written in each.
// Knows nothing of catalogs, templates or HTTP.
#ifndef SAFEHOUSE_WEB_LANGUAGE_H_
#define SAFEHOUSE_WEB_LANGUAGE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace safehouse::web {

enum class Language { kEnglish, kPersian };

// "en" → kEnglish, "fa" → kPersian; anything else (including "EN", "fa-IR")
// → nullopt, so a URL has exactly one spelling per language.
std::optional<Language> parse_language(std::string_view code);

// The language an HTTP Accept-Language header value (RFC 9110 §12.5.4)
// prefers among ours: the range with the highest weight whose primary tag is
// "en" or "fa" (any case, any subtags: "fa-IR", "EN-us"), the first listed on
// a tie; "*" and ranges with q=0 choose nothing. nullopt if no range names
// one of ours. Malformed ranges and weights are skipped, never an error: the
// header is only a hint. Reads at most kMaxAcceptLanguageRanges ranges.
inline constexpr std::size_t kMaxAcceptLanguageRanges = 32;
std::optional<Language> preferred_language(std::string_view accept_language);

// The URL path prefix and html lang attribute: "en" or "fa".
std::string_view code(Language language);

// The html dir attribute: "ltr" or "rtl".
std::string_view dir(Language language);

// The language a language-switch link points to.
Language other_language(Language language);

// Returns `text` with ASCII digits 0-9 replaced by Persian digits ۰-۹ for
// kPersian; unchanged for kEnglish. Other bytes (including UTF-8) pass through.
std::string localize_digits(Language language, std::string_view text);

// Formats an integer with grouping: 1234567 → "1,234,567" (en),
// "۱٬۲۳۴٬۵۶۷" (fa, U+066C ARABIC THOUSANDS SEPARATOR). Negative numbers get a
// leading "-".
std::string format_number(Language language, std::int64_t value);

}  // namespace safehouse::web

#endif  // SAFEHOUSE_WEB_LANGUAGE_H_
