// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/codename/wordlist_test.cpp: the properties the word lists promise
// (docs/codename.md), checked on the copy embedded in the library and
// against the committed files it was built from.
#include "codename/wordlist.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "codename/normalise.h"

namespace safehouse::codename {
namespace {

std::vector<std::string> committed(const char* name) {
  std::ifstream in(std::string(SAFEHOUSE_WORDLIST_DIR) + "/" + name, std::ios::binary);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Code points of a UTF-8 string that normalise() accepted.
std::u32string code_points(std::string_view text) {
  std::u32string out;
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t n = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    char32_t cp = n == 1 ? c : c & (0xff >> (n + 1));
    for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (text[i + k] & 0x3f);
    out.push_back(cp);
    i += n;
  }
  return out;
}

bool within_one_edit(const std::string& a, const std::string& b) {
  if (a.size() == b.size()) {
    std::size_t i = 0;
    while (i < a.size() && a[i] == b[i]) ++i;
    if (i == a.size()) return true;
    if (a.substr(i + 1) == b.substr(i + 1)) return true;  // one substitution
    return i + 1 < a.size() && a[i] == b[i + 1] && a[i + 1] == b[i] &&
           a.substr(i + 2) == b.substr(i + 2);  // neighbours swapped
  }
  const std::string& longer = a.size() > b.size() ? a : b;
  const std::string& shorter = a.size() > b.size() ? b : a;
  if (longer.size() != shorter.size() + 1) return false;
  std::size_t i = 0;
  while (i < shorter.size() && longer[i] == shorter[i]) ++i;
  return longer.substr(i + 1) == shorter.substr(i);
}

TEST(Wordlist, EmbeddedCopyEqualsCommittedFiles) {
  for (const auto& [language, file] :
       {std::pair{Language::kEnglish, "en.txt"}, std::pair{Language::kPersian, "fa.txt"}}) {
    const auto lines = committed(file);
    ASSERT_EQ(lines.size(), kWordlistSize) << file;
    const auto words = wordlist(language);
    for (std::size_t i = 0; i < kWordlistSize; ++i) ASSERT_EQ(words[i], lines[i]) << file << i;
  }
}

TEST(Wordlist, EntriesAreUniqueNormalisedAndDisjoint) {
  std::set<std::string> seen_normalised;
  for (const Language language : {Language::kEnglish, Language::kPersian}) {
    std::set<std::string_view> unique;
    for (const std::string_view word : wordlist(language)) {
      unique.insert(word);
      auto normalised = normalise(word);
      ASSERT_TRUE(normalised);
      EXPECT_EQ(*normalised, word);
      // Across both lists at once: no normalised form twice, so none is in both.
      EXPECT_TRUE(seen_normalised.insert(*normalised).second) << word;
    }
    EXPECT_EQ(unique.size(), kWordlistSize);
  }
  EXPECT_EQ(seen_normalised.size(), 2 * kWordlistSize);
}

TEST(Wordlist, FindWordGivesTheLineIndex) {
  for (const Language language : {Language::kEnglish, Language::kPersian}) {
    const auto words = wordlist(language);
    for (std::size_t i = 0; i < kWordlistSize; ++i) {
      const auto found = find_word(words[i]);
      ASSERT_TRUE(found);
      EXPECT_EQ(*found, i);
    }
  }
  EXPECT_FALSE(find_word(""));
  EXPECT_FALSE(find_word("Abacus"));  // only normalised forms are looked up
  EXPECT_FALSE(find_word("notaword"));
}

TEST(Wordlist, OrderIsPinned) {
  // The order is part of the codename format: a codename stores indices.
  EXPECT_EQ(wordlist(Language::kEnglish)[0], "abacus");
  EXPECT_EQ(wordlist(Language::kEnglish)[kWordlistSize - 1], "zoom");
  EXPECT_EQ(wordlist(Language::kPersian)[0], "آباد");
  EXPECT_EQ(wordlist(Language::kPersian)[kWordlistSize - 1], "ییلاق");
}

TEST(Wordlist, EnglishWordsAreShortLowerAsciiAndFarApart) {
  const auto words = wordlist(Language::kEnglish);
  std::vector<std::string> all(words.begin(), words.end());
  for (const auto& word : all) {
    EXPECT_GE(word.size(), 3u);
    EXPECT_LE(word.size(), 8u);
    for (const char c : word) EXPECT_TRUE(c >= 'a' && c <= 'z') << word;
  }
  for (std::size_t i = 0; i < all.size(); ++i) {
    for (std::size_t j = i + 1; j < all.size(); ++j) {
      if (within_one_edit(all[i], all[j])) ADD_FAILURE() << all[i] << " ~ " << all[j];
    }
  }
}

TEST(Wordlist, PersianWordsArePlainLettersAndDoNotDifferOnlyByDots) {
  const std::u32string letters = U"آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی";
  // Letters that differ only by dots (or گ's stroke, آ's madda) share a class.
  std::map<char32_t, char32_t> skeleton;
  for (const std::u32string group :
       {U"بپتثنی", U"جچحخ", U"دذ", U"رزژ", U"سش", U"صض", U"طظ", U"عغ", U"فق", U"کگ", U"اآ"}) {
    for (const char32_t c : group) skeleton[c] = group[0];
  }
  std::set<std::u32string> skeletons;
  for (const std::string_view word : wordlist(Language::kPersian)) {
    const std::u32string cps = code_points(word);
    EXPECT_GE(cps.size(), 3u) << word;
    EXPECT_LE(cps.size(), 8u) << word;
    std::u32string shape;
    for (const char32_t c : cps) {
      EXPECT_NE(letters.find(c), std::u32string::npos) << word;
      shape.push_back(skeleton.count(c) ? skeleton[c] : c);
    }
    EXPECT_TRUE(skeletons.insert(shape).second) << word;
  }
}

}  // namespace
}  // namespace safehouse::codename
