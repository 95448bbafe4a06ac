// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/codename/normalise_test.cpp: each normalisation rule on its own,
// idempotence, malformed UTF-8, and each class of the folding key.
#include "codename/normalise.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

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

std::string key(std::string_view typed) {
  return fold_key(norm(typed));
}

// Each class of the folding key: every member folds to the same key, and
// each class's key differs from every other class's.
TEST(FoldKey, EachClassFoldsToOneLetter) {
  const std::vector<std::vector<std::string_view>> classes = {
      {"ت", "ط"},
      {"س", "ص", "ث"},
      {"ز", "ذ", "ض", "ظ", "ژ"},
      {"ه", "ح", "ة", "ە", "ھ", "ہ"},
      {"ق", "غ"},
      {"ا", "آ", "ع", "أ", "إ", "ٱ"},
      {"و", "ؤ"},
      {"ی", "ئ", "ي", "ى"},
      {"ک", "ك", "گ"},
      {"ب", "پ"},
      {"ج", "چ"},
  };
  std::set<std::string> keys;
  for (const auto& members : classes) {
    const std::string first = key(std::string("م") + std::string(members[0]) + "ن");
    EXPECT_TRUE(keys.insert(first).second) << members[0];
    for (const auto member : members) {
      EXPECT_EQ(key(std::string("م") + std::string(member) + "ن"), first) << member;
    }
  }
  // Letters outside every class stay apart.
  for (const std::string_view other : {"ر", "د", "ل", "م", "ن", "ف", "ش", "خ"}) {
    EXPECT_TRUE(keys.insert(key(std::string("م") + std::string(other) + "ن")).second) << other;
  }
}

TEST(FoldKey, DropsHamzaSpacesDigitsAndPunctuation) {
  EXPECT_EQ(key("جزء"), key("جز"));
  EXPECT_EQ(key("ارتقاء"), key("ارتقا"));
  EXPECT_EQ(key("مدیر عامل"), key("مدیرعامل"));
  EXPECT_EQ(key("مدیر\u200cعامل"), key("مدیرعامل"));
  EXPECT_EQ(key("۱. کتاب ٢) دریا 3- abide"), key("کتابدریاabide"));
  EXPECT_EQ(key("«کتاب»! abide?"), key("کتاب abide"));
  EXPECT_EQ(key("AB-ide"), "abide");
  EXPECT_EQ(key("  "), "");
  // Other symbols are kept: they match no word.
  EXPECT_EQ(key("a+b"), "a+b");
}

TEST(FoldKey, KeyIsNeverLongerThanItsInput) {
  for (const std::string_view text :
       {"ة ە ھ ہ ٱ أ إ ؤ ئ ي ى ك گ پ چ ژ", "abc", "", "طصثذضظحغآعء", "\U0001F600 x"}) {
    const std::string normalised = norm(text);
    EXPECT_LE(fold_key(normalised).size(), normalised.size()) << text;
  }
}

TEST(FoldKey, IsIdempotentAndAFixedPointOfNormalise) {
  // U+00B4 folds to a space and U+0301: dropping the space must not put the
  // accent on the n before it (the fuzz target's find), nor may dropping a
  // digit or punctuation.
  for (const std::string_view text :
       {"آئین پاییز", "مسئول ثروت", "ABIDE zoology", "ژاله", "]zon\u00b4-,EabNy X", "n1\u0301x",
        "a.\u0301\u0323b", "\u0301q\u0301"}) {
    const std::string once = key(text);
    EXPECT_EQ(fold_key(once), once) << text;
    EXPECT_EQ(norm(once), once) << text;
  }
}

}  // namespace
}  // namespace safehouse::codename
