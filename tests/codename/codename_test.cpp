// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/codename/codename_test.cpp: packing of word indices, rendering in
// both languages, parsing back (English, Persian, mixed, with everything
// normalisation forgives), and every parse error.
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

TEST(Codename, PacksTwelveBitsAWordBigEndian) {
  const Codename codename =
      from_bytes({0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56, 0x78});
  const auto words = wordlist(Language::kEnglish);
  const std::array<std::uint16_t, 8> indices{0x123, 0x456, 0x789, 0xabc,
                                             0xdef, 0x012, 0x345, 0x678};
  std::string expected;
  for (const auto index : indices)
    expected += (expected.empty() ? "" : " ") + std::string(words[index]);
  EXPECT_EQ(codename.render(Language::kEnglish), expected);
}

TEST(Codename, ExtremesUseFirstAndLastWords) {
  const auto en = wordlist(Language::kEnglish);
  const auto fa = wordlist(Language::kPersian);
  std::array<std::uint8_t, Codename::kSecretBytes> bytes{};
  const Codename first = from_bytes(bytes);
  for (const auto& word : split(first.render(Language::kEnglish))) EXPECT_EQ(word, en[0]);
  for (const auto& word : split(first.render(Language::kPersian))) EXPECT_EQ(word, fa[0]);
  bytes.fill(0xff);
  const Codename last = from_bytes(bytes);
  for (const auto& word : split(last.render(Language::kEnglish))) EXPECT_EQ(word, en[4095]);
  for (const auto& word : split(last.render(Language::kPersian))) EXPECT_EQ(word, fa[4095]);
}

TEST(Codename, RendersEightWordsWithSingleSpaces) {
  const Codename codename = Codename::generate();
  for (const Language language : {Language::kEnglish, Language::kPersian}) {
    const std::string text = codename.render(language);
    EXPECT_EQ(split(text).size(), 8u);
    EXPECT_EQ(text.find("  "), std::string::npos);
    EXPECT_NE(text.front(), ' ');
    EXPECT_NE(text.back(), ' ');
  }
}

TEST(Codename, GenerateGivesDifferentCodenames) {
  const Codename a = Codename::generate();
  const Codename b = Codename::generate();
  EXPECT_EQ(a.reveal().size(), Codename::kSecretBytes);
  EXPECT_FALSE(a.equals(b));  // 2^-96 to fail by chance
}

TEST(Codename, ParsesBothRenderingsAndMixed) {
  for (int round = 0; round < 20; ++round) {
    const Codename codename = Codename::generate();
    const auto en = split(codename.render(Language::kEnglish));
    const auto fa = split(codename.render(Language::kPersian));
    expect_parses_to(codename.render(Language::kEnglish), codename);
    expect_parses_to(codename.render(Language::kPersian), codename);
    std::string mixed;
    for (std::size_t i = 0; i < 8; ++i) mixed += (i % 3 == 0 ? en[i] : fa[i]) + " ";
    expect_parses_to(mixed, codename);
  }
}

TEST(Codename, ParseForgivesWhatNormalisationRemoves) {
  const Codename codename =
      from_bytes({0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98});
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

TEST(Codename, WrongWordCount) {
  const auto words = split(Codename::generate().render(Language::kEnglish));
  for (const std::size_t count : {0u, 1u, 7u, 9u, 16u}) {
    std::string typed;
    for (std::size_t i = 0; i < count; ++i) typed += words[i % 8] + " ";
    auto parsed = Codename::parse(typed);
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().code(), ErrorCode::kMalformed);
    EXPECT_EQ(parsed.error().message(), "codename: expected 8 words, got " + std::to_string(count));
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
  auto bad = Codename::parse("abacus abacus abacus \xff abacus abacus abacus abacus");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), ErrorCode::kMalformed);
  EXPECT_EQ(bad.error().message(), "codename: normalise: input is not valid UTF-8");

  auto big = Codename::parse(std::string(Codename::kMaxTypedBytes + 1, ' '));
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code(), ErrorCode::kTooLarge);
}

TEST(Codename, FromSecretChecksTheSize) {
  auto wrong = Codename::from_secret(crypto::SecretBytes(11));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(Codename::from_secret(crypto::SecretBytes(12)));
}

}  // namespace
}  // namespace safehouse::codename
