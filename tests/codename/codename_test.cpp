// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/codename/codename_test.cpp: packing of word indices, rendering in
// both languages, parsing back (English, Persian, mixed, with everything
// normalisation and the folding key forgive), slips the key does not
// forgive, and every parse error.
#include "codename/codename.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

namespace safehouse::codename {
namespace {

Codename from_bytes(const std::array<std::uint8_t, Codename::kSecretBytes>& bytes) {
  auto codename = Codename::from_secret(crypto::SecretBytes::copy_of(bytes));
  EXPECT_TRUE(codename);
  return std::move(*codename);
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> words;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(' ', start), text.size());
    words.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

void expect_parses_to(std::string_view typed, const Codename& expected) {
  auto parsed = Codename::parse(typed);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_TRUE(parsed->equals(expected));
}

// The indices were computed from the bytes by an independent reading of the
// layout (Python: the 104 bits as a string, 11 at a time).
TEST(Codename, PacksElevenBitsAWordBigEndian) {
  const Codename codename =
      from_bytes({0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56, 0x78, 0x60});
  const auto words = wordlist(Language::kEnglish);
  const std::array<std::uint16_t, Codename::kWords> indices{0x091, 0x515, 0x4f1, 0x1ab, 0x66f,
                                                            0x3c0, 0x246, 0x456, 0x3c3};
  std::string expected;
  for (const auto index : indices)
    expected += (expected.empty() ? "" : " ") + std::string(words[index]);
  EXPECT_EQ(codename.render(Language::kEnglish), expected);
  auto again = Codename::parse(expected);
  ASSERT_TRUE(again);
  EXPECT_EQ(std::vector<std::uint8_t>(again->reveal().begin(), again->reveal().end()),
            (std::vector<std::uint8_t>{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34,
                                       0x56, 0x78, 0x60}));
}

TEST(Codename, ExtremesUseFirstAndLastWords) {
  const auto en = wordlist(Language::kEnglish);
  const auto fa = wordlist(Language::kPersian);
  std::array<std::uint8_t, Codename::kSecretBytes> bytes{};
  const Codename first = from_bytes(bytes);
  for (const auto& word : split(first.render(Language::kEnglish))) EXPECT_EQ(word, en[0]);
  for (const auto& word : split(first.render(Language::kPersian))) EXPECT_EQ(word, fa[0]);
  bytes.fill(0xff);
  bytes.back() = 0xe0;  // the 5 unused bits stay zero
  const Codename last = from_bytes(bytes);
  for (const auto& word : split(last.render(Language::kEnglish)))
    EXPECT_EQ(word, en[kWordlistSize - 1]);
  for (const auto& word : split(last.render(Language::kPersian)))
    EXPECT_EQ(word, fa[kWordlistSize - 1]);
}

TEST(Codename, RendersNineWordsWithSingleSpaces) {
  const Codename codename = Codename::generate();
  for (const Language language : {Language::kEnglish, Language::kPersian}) {
    const std::string text = codename.render(language);
    EXPECT_EQ(split(text).size(), 9u);
    EXPECT_EQ(text.find("  "), std::string::npos);
    EXPECT_NE(text.front(), ' ');
    EXPECT_NE(text.back(), ' ');
  }
}

TEST(Codename, GenerateLeavesTheUnusedBitsZero) {
  for (int round = 0; round < 64; ++round) {
    const Codename codename = Codename::generate();
    EXPECT_EQ(codename.reveal().back() & 0x1f, 0);
  }
}

TEST(Codename, GenerateGivesDifferentCodenames) {
  const Codename a = Codename::generate();
  const Codename b = Codename::generate();
  EXPECT_EQ(a.reveal().size(), Codename::kSecretBytes);
  EXPECT_FALSE(a.equals(b));  // 2^-99 to fail by chance
}

TEST(Codename, ParsesBothRenderingsAndMixed) {
  for (int round = 0; round < 20; ++round) {
    const Codename codename = Codename::generate();
    const auto en = split(codename.render(Language::kEnglish));
    const auto fa = split(codename.render(Language::kPersian));
    expect_parses_to(codename.render(Language::kEnglish), codename);
    expect_parses_to(codename.render(Language::kPersian), codename);
    std::string mixed;
    for (std::size_t i = 0; i < Codename::kWords; ++i) mixed += (i % 3 == 0 ? en[i] : fa[i]) + " ";
    expect_parses_to(mixed, codename);
  }
}

TEST(Codename, ParseForgivesWhatNormalisationRemoves) {
  const Codename codename =
      from_bytes({0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x80});
  const std::string en = codename.render(Language::kEnglish);
  const std::string fa = codename.render(Language::kPersian);
  std::string upper = en;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  expect_parses_to(upper, codename);
  expect_parses_to("  \t" + replace_all(en, " ", " \u00a0 ,  ") + "\n", codename);
  expect_parses_to(replace_all(en, " ", "-"), codename);
  // Arabic keyboards: ي and ك for ی and ک.
  expect_parses_to(replace_all(replace_all(fa, "ی", "ي"), "ک", "ك"), codename);
  expect_parses_to(replace_all(fa, "ی", "ى"), codename);
  // Bidi marks around and between words, ZWNJ and tatweel inside them,
  // diacritics after letters, the Persian comma between them.
  expect_parses_to("\u200f\u2067" + replace_all(fa, " ", "\u200e \u202b") + "\u2069", codename);
  std::string zwnj = fa;
  zwnj.insert(2, "\u200c");  // after the first letter (2 bytes in UTF-8)
  expect_parses_to(zwnj, codename);
  std::string tatweel = fa;
  tatweel.insert(2, "\u0640\u064e");
  expect_parses_to(tatweel, codename);
  expect_parses_to(replace_all(fa, " ", "، "), codename);
}

// Every slip the folding key forgives, applied to every letter of a Persian
// rendering at once (tests the fold, not only the words that happen to hold
// a given letter): the same codename comes back.
TEST(Codename, ParseForgivesPersianSpellingSlips) {
  // Each letter to another of its class: homophones, hamza forms, the
  // letters an Arabic keyboard types for پ چ ژ گ, Arabic and Kurdish heh.
  const std::vector<std::pair<std::string_view, std::string_view>> slips[] = {
      {{"ت", "ط"},
       {"س", "ص"},
       {"ز", "ذ"},
       {"ه", "ح"},
       {"ق", "غ"},
       {"ا", "ع"},
       {"و", "ؤ"},
       {"ی", "ئ"},
       {"پ", "ب"},
       {"چ", "ج"},
       {"ژ", "ز"},
       {"گ", "ک"},
       {"آ", "ا"}},
      {{"ط", "ت"},
       {"ص", "ث"},
       {"ث", "س"},
       {"ذ", "ض"},
       {"ض", "ظ"},
       {"ظ", "ز"},
       {"ح", "ة"},
       {"غ", "ق"},
       {"ع", "أ"},
       {"ا", "إ"},
       {"ی", "ى"},
       {"ک", "ك"},
       {"ه", "ە"}},
      {{"ا", "آ"}, {"ه", "ھ"}, {"ی", "ي"}, {"ئ", "ی"}, {"ؤ", "و"}, {"أ", "ا"}, {"ء", ""}},
  };
  for (int round = 0; round < 20; ++round) {
    const Codename codename = Codename::generate();
    const std::string fa = codename.render(Language::kPersian);
    for (const auto& table : slips) {
      std::string typed;
      // Letter by letter, so that one slip's output is not slipped again.
      for (std::size_t i = 0; i < fa.size();) {
        const std::size_t n = (static_cast<unsigned char>(fa[i]) & 0x80) ? 2 : 1;
        std::string letter = fa.substr(i, n);
        for (const auto& [from, to] : table) {
          if (letter == from) {
            letter = to;
            break;
          }
        }
        typed += letter;
        i += n;
      }
      expect_parses_to(typed, codename);
    }
    // A hamza added anywhere, ZWNJ inside words, no spaces at all, a space
    // inside every word.
    std::string hamza = fa;
    hamza.insert(2, "ء");
    expect_parses_to(hamza, codename);
    expect_parses_to(replace_all(fa, " ", ""), codename);
    std::string spaced;
    for (const auto& word : split(fa)) spaced += word.substr(0, 2) + " " + word.substr(2) + "  ";
    expect_parses_to(spaced, codename);
    std::string zwnj;
    for (const auto& word : split(fa)) zwnj += word.substr(0, 4) + "\u200c" + word.substr(4) + " ";
    expect_parses_to(zwnj, codename);
  }
}

// The words numbered as someone writes them down, in Persian, Arabic-Indic
// or ASCII digits: the numbers are not part of the key.
TEST(Codename, ParseIgnoresNumbering) {
  const Codename codename = Codename::generate();
  const auto fa = split(codename.render(Language::kPersian));
  const auto en = split(codename.render(Language::kEnglish));
  for (const std::string_view digits : {"۱۲۳۴۵۶۷۸۹", "١٢٣٤٥٦٧٨٩"}) {
    std::string typed;
    for (std::size_t i = 0; i < fa.size(); ++i)
      typed += std::string(digits.substr(2 * i, 2)) + ". " + fa[i] + " ";
    expect_parses_to(typed, codename);
  }
  std::string typed;
  for (std::size_t i = 0; i < en.size(); ++i) typed += std::to_string(i + 1) + ")" + en[i] + " ";
  expect_parses_to(typed, codename);
}

// English typed with the look-alike slips the key forgives: case, spacing,
// hyphens.
TEST(Codename, ParseForgivesEnglishSpacingAndHyphens) {
  const Codename codename = Codename::generate();
  const std::string en = codename.render(Language::kEnglish);
  expect_parses_to(replace_all(en, " ", ""), codename);
  std::string hyphenated;
  for (const auto& word : split(en)) hyphenated += word.substr(0, 2) + "-" + word.substr(2) + " ";
  expect_parses_to(hyphenated, codename);
  std::string upper = replace_all(en, " ", "");
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  expect_parses_to(upper, codename);
}

// A slip outside the fold (ر typed for another letter, or one letter dropped) never
// lands on the same codename: it is an unknown word or another codename.
TEST(Codename, SlipsOutsideTheFoldDoNotParseToTheSameCodename) {
  for (int round = 0; round < 50; ++round) {
    const Codename codename = Codename::generate();
    auto words = split(codename.render(Language::kPersian));
    // The first letter of word 4 to one in no class of its own.
    const std::string first = words[3].substr(0, 2);
    words[3].replace(0, 2, first == "ر" ? "م" : "ر");
    std::string typed;
    for (const auto& word : words) typed += word + " ";
    auto parsed = Codename::parse(typed);
    if (parsed) EXPECT_FALSE(parsed->equals(codename));
    words = split(codename.render(Language::kPersian));
    // The last letter dropped (a hamza on its own is not a letter of the key).
    words[5].erase(words[5].size() - (words[5].ends_with("ء") ? 4 : 2));
    typed.clear();
    for (const auto& word : words) typed += word + " ";
    parsed = Codename::parse(typed);
    if (parsed) EXPECT_FALSE(parsed->equals(codename));
  }
}

TEST(Codename, WrongWordCount) {
  const auto words = split(Codename::generate().render(Language::kEnglish));
  for (const std::size_t count : {0u, 1u, 8u, 10u, 16u}) {
    std::string typed;
    for (std::size_t i = 0; i < count; ++i) typed += words[i % Codename::kWords] + " ";
    auto parsed = Codename::parse(typed);
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().code(), ErrorCode::kMalformed);
    EXPECT_EQ(parsed.error().message(), "codename: expected 9 words, got " + std::to_string(count));
  }
}

TEST(Codename, UnknownWordIsNamedByPositionOnly) {
  auto words = split(Codename::generate().render(Language::kPersian));
  words[2] = "zzqxvk";
  std::string typed;
  for (const auto& word : words) typed += word + " ";
  auto parsed = Codename::parse(typed);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code(), ErrorCode::kMalformed);
  EXPECT_EQ(parsed.error().message(), "codename: word 3 is not in the word list");
  for (const auto& word : words) EXPECT_EQ(parsed.error().message().find(word), std::string::npos);
}

TEST(Codename, MalformedAndOversizedInput) {
  auto bad = Codename::parse("abide abide abide \xff abide abide abide abide abide");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), ErrorCode::kMalformed);
  EXPECT_EQ(bad.error().message(), "codename: normalise: input is not valid UTF-8");

  auto big = Codename::parse(std::string(Codename::kMaxTypedBytes + 1, ' '));
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code(), ErrorCode::kTooLarge);
}

TEST(Codename, FromSecretChecksTheSizeAndTheUnusedBits) {
  for (const std::size_t size : {12u, 14u}) {
    auto wrong = Codename::from_secret(crypto::SecretBytes(size));
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code(), ErrorCode::kInvalidArgument);
  }
  EXPECT_TRUE(Codename::from_secret(crypto::SecretBytes(13)));
  // Each of the 5 unused bits set on its own: two secrets would name one codename.
  for (int bit = 0; bit < 5; ++bit) {
    std::array<std::uint8_t, Codename::kSecretBytes> bytes{};
    bytes.back() = static_cast<std::uint8_t>(1u << bit);
    auto wrong = Codename::from_secret(crypto::SecretBytes::copy_of(bytes));
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code(), ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace safehouse::codename
