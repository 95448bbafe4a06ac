// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/web/language_test.cpp: language codes, direction, Persian digits and
// number grouping.
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

}  // namespace
}  // namespace safehouse::web
