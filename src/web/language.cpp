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

}  // namespace

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
