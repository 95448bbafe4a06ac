// SPDX-License-Identifier: AGPL-3.0-or-later
// web/language.cpp: language codes, direction, digits and number grouping.
// Persian digits are U+06F0..U+06F9 (EXTENDED ARABIC-INDIC), not the
// Arabic-Indic U+0660..U+0669 that Arabic uses; readers notice the difference.
#include "web/language.h"

namespace safehouse::web {
namespace {

// UTF-8 of U+06F0 is DB B0 … U+06F9 is DB B9: the lead byte is 0xDB and the
// second byte runs 0xB0..0xB9.
constexpr char kPersianDigitLead = '\xDB';
constexpr unsigned char kPersianZeroTrail = 0xB0;
// U+066C ARABIC THOUSANDS SEPARATOR, the grouping mark in Persian typography.
constexpr std::string_view kPersianGroupSeparator = "\xD9\xAC";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool equals_lower(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != lower[i]) return false;
  }
  return true;
}

// A weight "0", "0.5", "1", "1.000" (RFC 9110 §12.4.2) in thousandths;
// -1 if malformed.
int parse_weight(std::string_view text) {
  if (text.empty() || (text[0] != '0' && text[0] != '1')) return -1;
  int thousandths = (text[0] - '0') * 1000;
  if (text.size() == 1) return thousandths;
  if (text[1] != '.' || text.size() > 5) return -1;
  int scale = 100;
  for (char c : text.substr(2)) {
    if (c < '0' || c > '9') return -1;
    thousandths += (c - '0') * scale;
    scale /= 10;
  }
  return thousandths <= 1000 ? thousandths : -1;
}

}  // namespace

// Hand-written: neither Boost.Locale nor ICU parses this header, and the
// grammar needed is a comma list of "tag;q=weight".
std::optional<Language> preferred_language(std::string_view accept_language) {
  std::optional<Language> best;
  int best_weight = 0;
  std::size_t ranges = 0;
  while (!accept_language.empty() && ranges++ < kMaxAcceptLanguageRanges) {
    const std::size_t comma = accept_language.find(',');
    std::string_view item = accept_language.substr(0, comma);
    accept_language =
        comma == std::string_view::npos ? std::string_view() : accept_language.substr(comma + 1);
    const std::size_t semicolon = item.find(';');
    const std::string_view range = trim(item.substr(0, semicolon));
    int weight = 1000;
    if (semicolon != std::string_view::npos) {
      const std::string_view param = trim(item.substr(semicolon + 1));
      if (param.size() < 2 || !equals_lower(param.substr(0, 2), "q=")) continue;
      weight = parse_weight(param.substr(2));
      if (weight < 0) continue;
    }
    const std::string_view primary = range.substr(0, range.find('-'));
    std::optional<Language> language;
    if (equals_lower(primary, "en")) language = Language::kEnglish;
    if (equals_lower(primary, "fa")) language = Language::kPersian;
    if (language && weight > best_weight) {
      best = language;
      best_weight = weight;
    }
  }
  return best;
}

std::optional<Language> parse_language(std::string_view code) {
  if (code == "en") return Language::kEnglish;
  if (code == "fa") return Language::kPersian;
  return std::nullopt;
}

std::string_view code(Language language) {
  return language == Language::kPersian ? "fa" : "en";
}

std::string_view dir(Language language) {
  return language == Language::kPersian ? "rtl" : "ltr";
}

Language other_language(Language language) {
  return language == Language::kPersian ? Language::kEnglish : Language::kPersian;
}

std::string localize_digits(Language language, std::string_view text) {
  if (language == Language::kEnglish) return std::string(text);
  std::string out;
  out.reserve(text.size() * 2);
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      out.push_back(kPersianDigitLead);
      out.push_back(static_cast<char>(kPersianZeroTrail + (c - '0')));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string format_number(Language language, std::int64_t value) {
  // Work on the magnitude as unsigned so INT64_MIN does not overflow.
  const bool negative = value < 0;
  std::uint64_t magnitude = negative ? std::uint64_t{0} - static_cast<std::uint64_t>(value)
                                     : static_cast<std::uint64_t>(value);
  const std::string digits = std::to_string(magnitude);
  const std::string_view separator =
      language == Language::kPersian ? kPersianGroupSeparator : std::string_view(",");
  std::string grouped = negative ? "-" : "";
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped.append(separator);
    grouped.push_back(digits[i]);
  }
  return localize_digits(language, grouped);
}

}  // namespace safehouse::web
