// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/codename/normalise_test.cpp: each normalisation rule on its own,
// idempotence, and malformed UTF-8.
#include "codename/normalise.h"

#include <gtest/gtest.h>

#include <string>

namespace safehouse::codename {
namespace {

std::string norm(std::string_view text) {
  auto result = normalise(text);
  EXPECT_TRUE(result) << result.error().message();
  return result ? *result : std::string("<error>");
}

TEST(Normalise, EmptyAndPlain) {
  EXPECT_EQ(norm(""), "");
  EXPECT_EQ(norm("   "), "");
  EXPECT_EQ(norm("abacus"), "abacus");
  EXPECT_EQ(norm("کتاب"), "کتاب");
}

TEST(Normalise, LowerCasesAndNfkc) {
  EXPECT_EQ(norm("AbAcUs"), "abacus");
  EXPECT_EQ(norm("ＡＢＣ"), "abc");            // fullwidth forms
  EXPECT_EQ(norm("ﬁsh"), "fish");              // ligature
  EXPECT_EQ(norm("cafe\u0301"), "caf\u00e9");  // composed
  // Arabic presentation forms to base letters: ﻛﺘﺎﺏ is كتاب, then ك → ک.
  EXPECT_EQ(norm("\uFEDB\uFE98\uFE8E\uFE8F"), "کتاب");
}

// NFKC's largest expansion, 18 code points from one (U+FDFA), at the input
// limit: the buffer given to ICU up front must hold it.
TEST(Normalise, LargestExpansionFitsAtTheInputLimit) {
  std::string ligature = "\uFDFA";  // 3 bytes of UTF-8
  std::string input;
  while (input.size() + ligature.size() <= kMaxNormaliseInputBytes) input += ligature;
  auto result = normalise(input);
  ASSERT_TRUE(result) << result.error().message();
  // Each ligature becomes 4 words of Arabic letters; no ligature is left.
  EXPECT_EQ(result->find("\uFDFA"), std::string::npos);
  EXPECT_GT(result->size(), input.size() * 5);
}

TEST(Normalise, Digits) {
  EXPECT_EQ(norm("۰۱۲۳۴۵۶۷۸۹"), "0123456789");
  EXPECT_EQ(norm("٠١٢٣٤٥٦٧٨٩"), "0123456789");
}

TEST(Normalise, ArabicLetterVariants) {
  EXPECT_EQ(norm("كتاب"), "کتاب");  // Arabic kaf
  EXPECT_EQ(norm("ماهي"), "ماهی");  // Arabic yeh
  EXPECT_EQ(norm("ماهى"), "ماهی");  // alef maksura
  EXPECT_EQ(norm("كيك"), "کیک");
}

TEST(Normalise, RemovesInvisibleMarks) {
  EXPECT_EQ(norm("کت\u200cاب"), "کتاب");                    // ZWNJ inside a word
  EXPECT_EQ(norm("کت\u200dاب"), "کتاب");                    // ZWJ
  EXPECT_EQ(norm("\u200fکتاب\u200e"), "کتاب");              // RLM, LRM
  EXPECT_EQ(norm("\u202bکتاب\u202c"), "کتاب");              // RLE ... PDF
  EXPECT_EQ(norm("\u2067کتاب\u2069 \u202eab"), "کتاب ab");  // RLI ... PDI, RLO
  EXPECT_EQ(norm("ab\u061Ccd"), "abcd");                    // Arabic letter mark
}

TEST(Normalise, RemovesTatweelAndDiacritics) {
  EXPECT_EQ(norm("کـــتاب"), "کتاب");
  EXPECT_EQ(norm("کِتابْ"), "کتاب");  // kasra, sukun
  EXPECT_EQ(norm("اصلاً"), "اصلا");  // tanwin
  EXPECT_EQ(norm("بنّا"), "بنا");    // shadda
  EXPECT_EQ(norm("هٰذا"), "هذا");    // superscript alef
  EXPECT_EQ(norm("آب"), "آب");      // madda on alef is a letter, not a mark
}

TEST(Normalise, CollapsesSeparators) {
  EXPECT_EQ(norm("  one   two\t\nthree  "), "one two three");
  EXPECT_EQ(norm("one\u00a0two\u2007three\u202ffour"), "one two three four");  // NBSP & co
  EXPECT_EQ(norm("one,two-three"), "one two three");
  EXPECT_EQ(norm("یک، دو،سه؛ چهار"), "یک دو سه چهار");
  EXPECT_EQ(norm("one \u2014 two\u2010three\u2212four"), "one two three four");
  EXPECT_EQ(norm("one \u200c two"), "one two");  // ZWNJ between spaces
}

TEST(Normalise, IsIdempotent) {
  for (const char* text : {"  AbC ＡＢＣ ۱۲ كيك  \u200f", "e\u0640\u0301x", "\uFC5E a",
                           "x\uFE77\u0301", "ß İ ǅ", "a\u200c\u0301"}) {
    const std::string once = norm(text);
    EXPECT_EQ(norm(once), once) << text;
  }
}

TEST(Normalise, RejectsMalformedUtf8) {
  for (const std::string_view bad :
       {std::string_view("\xff"), std::string_view("ab\xc3"), std::string_view("\xc0\xaf"),
        std::string_view("\xed\xa0\x80"), std::string_view("ok \xe2\x82 ok"),
        std::string_view("\xf4\x90\x80\x80"), std::string_view("\x80")}) {
    auto result = normalise(bad);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code(), ErrorCode::kMalformed);
    EXPECT_EQ(result.error().message(), "normalise: input is not valid UTF-8");
  }
}

TEST(Normalise, KeepsEmbeddedNul) {
  EXPECT_EQ(norm(std::string_view("a\0b", 3)), std::string("a\0b", 3));
}

TEST(Normalise, RejectsTooLarge) {
  EXPECT_TRUE(normalise(std::string(kMaxNormaliseInputBytes, 'a')));
  auto result = normalise(std::string(kMaxNormaliseInputBytes + 1, 'a'));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code(), ErrorCode::kTooLarge);
}

}  // namespace
}  // namespace safehouse::codename
