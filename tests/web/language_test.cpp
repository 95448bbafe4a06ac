// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/web/language_test.cpp: language codes, direction, Persian digits and
// number grouping, Accept-Language (well-formed and malformed).
#include "web/language.h"

#include <gtest/gtest.h>

#include <limits>

namespace safehouse::web {
namespace {

TEST(Language, ParsesExactlyTheTwoCodes) {
  EXPECT_EQ(parse_language("en"), Language::kEnglish);
  EXPECT_EQ(parse_language("fa"), Language::kPersian);
  for (std::string_view bad : {"", "EN", "Fa", "fa-IR", "de", "en ", "e", "fas"}) {
    EXPECT_FALSE(parse_language(bad).has_value()) << bad;
  }
}

TEST(Language, CodeDirectionAndOther) {
  EXPECT_EQ(code(Language::kEnglish), "en");
  EXPECT_EQ(code(Language::kPersian), "fa");
  EXPECT_EQ(dir(Language::kEnglish), "ltr");
  EXPECT_EQ(dir(Language::kPersian), "rtl");
  EXPECT_EQ(other_language(Language::kEnglish), Language::kPersian);
  EXPECT_EQ(other_language(Language::kPersian), Language::kEnglish);
}

TEST(Language, LocalizesDigitsForPersianOnly) {
  EXPECT_EQ(localize_digits(Language::kPersian, "0123456789"), "۰۱۲۳۴۵۶۷۸۹");
  EXPECT_EQ(localize_digits(Language::kPersian, "2026-11-25"), "۲۰۲۶-۱۱-۲۵");
  EXPECT_EQ(localize_digits(Language::kEnglish, "2026-11-25"), "2026-11-25");
  // Persian text and other bytes pass through untouched.
  EXPECT_EQ(localize_digits(Language::kPersian, "روز 3 از <7>"), "روز ۳ از <۷>");
  EXPECT_EQ(localize_digits(Language::kPersian, ""), "");
}

TEST(Language, FormatsNumbersWithGrouping) {
  EXPECT_EQ(format_number(Language::kEnglish, 0), "0");
  EXPECT_EQ(format_number(Language::kEnglish, 999), "999");
  EXPECT_EQ(format_number(Language::kEnglish, 1000), "1,000");
  EXPECT_EQ(format_number(Language::kEnglish, 1234567), "1,234,567");
  EXPECT_EQ(format_number(Language::kEnglish, -1234), "-1,234");
  EXPECT_EQ(format_number(Language::kPersian, 404), "۴۰۴");
  EXPECT_EQ(format_number(Language::kPersian, 1234567), "۱٬۲۳۴٬۵۶۷");
  EXPECT_EQ(format_number(Language::kEnglish, std::numeric_limits<std::int64_t>::min()),
            "-9,223,372,036,854,775,808");
}

TEST(Language, PreferredFromAcceptLanguage) {
  EXPECT_EQ(preferred_language("fa"), Language::kPersian);
  EXPECT_EQ(preferred_language("fa-IR,fa;q=0.9,en-US;q=0.8,en;q=0.7"), Language::kPersian);
  EXPECT_EQ(preferred_language("en-US,en;q=0.5"), Language::kEnglish);
  EXPECT_EQ(preferred_language("de-DE, fa;q=0.3, en;q=0.7"), Language::kEnglish);
  EXPECT_EQ(preferred_language("en;q=0.5, fa;q=0.500"), Language::kEnglish);  // tie: first
  EXPECT_EQ(preferred_language("EN-gb"), Language::kEnglish);
  EXPECT_EQ(preferred_language("Fa ; Q=1.0"), Language::kPersian);
  EXPECT_EQ(preferred_language("en;q=0.001,\tfa;q=0.002"), Language::kPersian);
}

TEST(Language, AcceptLanguageWithoutOursOrMalformed) {
  using namespace std::string_view_literals;
  for (std::string_view header : std::initializer_list<std::string_view>{
           "",      "de",     "*",     "de, *;q=0.9", "en;q=0",   "fa;q=0.000",  "english",
           "far",   "e",      "en_US", "en;q=2",      "en;q=1.5", "en;q=0.1234", "en;q=.5",
           "en;q=", "en;x=1", "en;",   "fa;q=0.5x",   ",,,;;;",   "-",           "\xff\xfe",
           "f\0a"sv}) {
    EXPECT_EQ(preferred_language(header), std::nullopt) << header;
  }
  EXPECT_EQ(preferred_language("en-"), Language::kEnglish);         // primary tag "en"
  EXPECT_EQ(preferred_language("en;q=2, fa"), Language::kPersian);  // the bad range is skipped
  // Only the first kMaxAcceptLanguageRanges ranges are read.
  std::string many;
  for (std::size_t i = 0; i < kMaxAcceptLanguageRanges; ++i) many += "de,";
  EXPECT_EQ(preferred_language(many + "fa"), std::nullopt);
  EXPECT_EQ(preferred_language(many.substr(3) + "fa"), Language::kPersian);
}

}  // namespace
}  // namespace safehouse::web
