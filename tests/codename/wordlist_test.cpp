// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/codename/wordlist_test.cpp: the properties the word lists promise
// (docs/codename.md), checked on the copy embedded in the library, against
// the committed files it was built from, and against the generator's
// blocklists, concept table and review files (scripts/wordlists/).
#include "codename/wordlist.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "codename/normalise.h"

namespace safehouse::codename {
namespace {

const Language kLanguages[] = {Language::kEnglish, Language::kPersian};

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> committed(const char* name) {
  return lines_of(std::string(SAFEHOUSE_WORDLIST_DIR) + "/" + name);
}

std::string script_file(const std::string& name) {
  return std::string(SAFEHOUSE_WORDLIST_SCRIPTS_DIR) + "/" + name;
}

// Code points of valid UTF-8.
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

// One slip: one substitution, insertion, deletion or swap of neighbours.
bool within_one_edit(const std::u32string& a, const std::u32string& b) {
  if (a.size() == b.size()) {
    std::size_t i = 0;
    while (i < a.size() && a[i] == b[i]) ++i;
    if (i == a.size()) return true;
    if (a.substr(i + 1) == b.substr(i + 1)) return true;  // one substitution
    return i + 1 < a.size() && a[i] == b[i + 1] && a[i + 1] == b[i] &&
           a.substr(i + 2) == b.substr(i + 2);  // neighbours swapped
  }
  const std::u32string& longer = a.size() > b.size() ? a : b;
  const std::u32string& shorter = a.size() > b.size() ? b : a;
  if (longer.size() != shorter.size() + 1) return false;
  std::size_t i = 0;
  while (i < shorter.size() && longer[i] == shorter[i]) ++i;
  return longer.substr(i + 1) == shorter.substr(i);
}

std::vector<std::string> keys_of(Language language) {
  std::vector<std::string> keys;
  for (const std::string_view word : wordlist(language)) keys.push_back(fold_key(word));
  return keys;
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

TEST(Wordlist, EntriesAreNormalisedAndKeysUniqueAcrossBothLists) {
  std::set<std::string> keys;
  for (const Language language : kLanguages) {
    std::set<std::string_view> unique;
    for (const std::string_view word : wordlist(language)) {
      unique.insert(word);
      auto normalised = normalise(word);
      ASSERT_TRUE(normalised);
      EXPECT_EQ(*normalised, word);
      // Across both lists at once: no key twice, so none is in both.
      EXPECT_TRUE(keys.insert(fold_key(word)).second) << word;
    }
    EXPECT_EQ(unique.size(), kWordlistSize);
  }
  EXPECT_EQ(keys.size(), 2 * kWordlistSize);
}

TEST(Wordlist, PrefixFreeOnTheKey) {
  std::vector<std::string> keys = keys_of(Language::kEnglish);
  const auto fa = keys_of(Language::kPersian);
  keys.insert(keys.end(), fa.begin(), fa.end());
  std::sort(keys.begin(), keys.end());
  // Sorted, a key that is a prefix of others comes right before one of them.
  for (std::size_t i = 0; i + 1 < keys.size(); ++i) {
    EXPECT_FALSE(keys[i + 1].starts_with(keys[i])) << keys[i] << " < " << keys[i + 1];
  }
}

TEST(Wordlist, NoWordIsMadeOfTwoListWords) {
  for (const Language language : kLanguages) {
    const auto keys = keys_of(language);
    const std::set<std::string> all(keys.begin(), keys.end());
    for (const auto& key : keys) {
      for (std::size_t cut = 1; cut < key.size(); ++cut) {
        EXPECT_FALSE(all.count(key.substr(0, cut)) && all.count(key.substr(cut))) << key;
      }
    }
  }
}

TEST(Wordlist, NoTwoKeysAreOneSlipApart) {
  for (const Language language : kLanguages) {
    std::vector<std::u32string> keys;
    for (const auto& key : keys_of(language)) keys.push_back(code_points(key));
    for (std::size_t i = 0; i < keys.size(); ++i) {
      for (std::size_t j = i + 1; j < keys.size(); ++j) {
        if (within_one_edit(keys[i], keys[j])) {
          ADD_FAILURE() << wordlist(language)[i] << " ~ " << wordlist(language)[j];
        }
      }
    }
  }
}

TEST(Wordlist, FindWordAndMatchPrefixGiveTheLineIndex) {
  for (const Language language : kLanguages) {
    const auto words = wordlist(language);
    for (std::size_t i = 0; i < kWordlistSize; ++i) {
      const std::string key = fold_key(words[i]);
      const auto found = find_word(key);
      ASSERT_TRUE(found) << words[i];
      EXPECT_EQ(*found, i);
      const auto match = match_prefix(key + fold_key(words[(i + 1) % kWordlistSize]));
      ASSERT_TRUE(match) << words[i];
      EXPECT_EQ(match->index, i);
      EXPECT_EQ(match->length, key.size());
    }
  }
  EXPECT_FALSE(find_word(""));
  EXPECT_FALSE(match_prefix(""));
  EXPECT_FALSE(find_word("Abide"));  // only keys are looked up
  EXPECT_FALSE(find_word("notaword"));
  EXPECT_FALSE(match_prefix("zzzz"));
}

TEST(Wordlist, OrderIsPinned) {
  // The order is part of the codename format: a codename stores indices.
  EXPECT_EQ(wordlist(Language::kEnglish)[0], "abdomen");
  EXPECT_EQ(wordlist(Language::kEnglish)[kWordlistSize - 1], "zoology");
  EXPECT_EQ(wordlist(Language::kPersian)[0], "آباد");
  EXPECT_EQ(wordlist(Language::kPersian)[kWordlistSize - 1], "ییلاق");
}

TEST(Wordlist, EnglishWordsAreShortLowerAscii) {
  for (const std::string_view word : wordlist(Language::kEnglish)) {
    EXPECT_GE(word.size(), 3u);
    EXPECT_LE(word.size(), 8u);
    for (const char c : word) EXPECT_TRUE(c >= 'a' && c <= 'z') << word;
  }
}

TEST(Wordlist, PersianWordsArePersianLettersOfThreeToEightInTheKey) {
  const std::u32string letters = U"آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیءأؤئ";
  for (const std::string_view word : wordlist(Language::kPersian)) {
    for (const char32_t c : code_points(word)) {
      EXPECT_NE(letters.find(c), std::u32string::npos) << word;
    }
    const std::size_t key_letters = code_points(fold_key(word)).size();
    EXPECT_GE(key_letters, 3u) << word;
    EXPECT_LE(key_letters, 8u) << word;
  }
}

// --- the generator's inputs and outputs

// Entries of a blocklist file: [class] lines and '#' comments skipped.
std::vector<std::string> blocklist_entries(const std::string& name) {
  std::vector<std::string> entries;
  for (std::string line : lines_of(script_file(name))) {
    line = line.substr(0, line.find('#'));
    if (line.starts_with("[")) continue;
    std::istringstream words(line);
    for (std::string entry; words >> entry;) entries.push_back(entry);
  }
  return entries;
}

std::vector<std::string> fields(const std::string& line, char separator) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string field; std::getline(in, field, separator);) out.push_back(field);
  return out;
}

std::string key_of_typed(std::string_view typed) {
  auto normalised = normalise(typed);
  EXPECT_TRUE(normalised);
  return fold_key(*normalised);
}

// Persian: a word is blocked if its key contains a stem's key, unless the
// allow-list names it; `=word` entries block the word whose key equals it.
void expect_no_persian_word_blocked(const std::vector<std::string>& entries,
                                    const std::set<std::string>& allowed) {
  std::vector<std::string> stems;
  std::set<std::string> whole;
  for (const auto& entry : entries) {
    if (entry.starts_with("=")) {
      whole.insert(key_of_typed(entry.substr(1)));
    } else {
      stems.push_back(key_of_typed(entry));
    }
  }
  for (const std::string_view word : wordlist(Language::kPersian)) {
    const std::string key = fold_key(word);
    EXPECT_EQ(whole.count(key), 0u) << word;
    if (allowed.count(std::string(word))) continue;
    for (const auto& stem : stems) EXPECT_EQ(key.find(stem), std::string::npos) << word;
  }
}

std::set<std::string> persian_allow_list() {
  std::set<std::string> allowed;
  for (const auto& entry : blocklist_entries("allow_fa.txt")) allowed.insert(entry);
  return allowed;
}

TEST(Wordlist, NoPersianWordHasABlockedStem) {
  const auto entries = blocklist_entries("blocklist_fa.txt");
  ASSERT_GT(entries.size(), 500u);
  expect_no_persian_word_blocked(entries, persian_allow_list());
}

TEST(Wordlist, NoEnglishWordIsBlocked) {
  const auto entries = blocklist_entries("blocklist_en.txt");
  ASSERT_GT(entries.size(), 200u);
  const std::set<std::string> blocked(entries.begin(), entries.end());
  for (const std::string_view word : wordlist(Language::kEnglish)) {
    EXPECT_EQ(blocked.count(std::string(word)), 0u) << word;
  }
}

// Each concept has English and Persian entries, and neither list has a word
// for it: English words may not start with an English stem, Persian words
// are checked as the Persian blocklist is.
TEST(Wordlist, BilingualConceptTableIsAbsentFromBothLists) {
  std::vector<std::string> persian;
  std::set<std::string> concepts;
  for (const auto& line : lines_of(script_file("concepts.tsv"))) {
    if (line.empty() || line.starts_with("#")) continue;
    const auto row = fields(line, '\t');
    ASSERT_EQ(row.size(), 3u) << line;
    concepts.insert(row[0]);
    std::istringstream en(row[1]);
    std::size_t english = 0;
    for (std::string stem; en >> stem; ++english) {
      for (const std::string_view word : wordlist(Language::kEnglish)) {
        EXPECT_FALSE(word.starts_with(stem)) << row[0] << ": " << word;
      }
    }
    EXPECT_GT(english, 0u) << row[0];
    std::istringstream fa(row[2]);
    const std::size_t before = persian.size();
    for (std::string stem; fa >> stem;) persian.push_back(stem);
    EXPECT_GT(persian.size(), before) << row[0];
  }
  for (const char* name : {"agent", "secret", "password", "alias", "recruit"}) {
    EXPECT_EQ(concepts.count(name), 1u) << name;
  }
  expect_no_persian_word_blocked(persian, persian_allow_list());
}

// The review file has a line for every list word, saying it was accepted,
// and accepts nothing else; what it says about rejected words agrees with
// the key sign-in uses (same key, one key a prefix of the other).
TEST(Wordlist, ReviewFilesRecordEveryWord) {
  for (const auto& [language, file] : {std::pair{Language::kEnglish, "review_en.tsv"},
                                       std::pair{Language::kPersian, "review_fa.tsv"}}) {
    std::map<std::string, std::string> verdicts;
    for (const auto& line : lines_of(script_file(file))) {
      if (line.starts_with("#")) continue;
      const auto row = fields(line, '\t');
      ASSERT_EQ(row.size(), 2u) << line;
      EXPECT_TRUE(verdicts.emplace(row[0], row[1]).second) << "twice: " << row[0];
    }
    std::set<std::string> listed;
    for (const std::string_view word : wordlist(language)) {
      listed.insert(std::string(word));
      const auto found = verdicts.find(std::string(word));
      ASSERT_NE(found, verdicts.end()) << file << ": no line for " << word;
      EXPECT_TRUE(found->second.starts_with("accepted")) << word << ": " << found->second;
    }
    std::size_t clashes = 0;
    for (const auto& [word, verdict] : verdicts) {
      if (verdict.starts_with("accepted")) EXPECT_TRUE(listed.count(word)) << word;
      const auto parts = fields(verdict, ':');
      if (parts.size() != 2) continue;
      const std::string key = fold_key(word);
      const std::string other = fold_key(parts[1]);
      if (parts[0] == "same-key") EXPECT_EQ(key, other) << word;
      if (parts[0] == "has-prefix") EXPECT_TRUE(key.starts_with(other)) << word;
      if (parts[0] == "prefix-of") EXPECT_TRUE(other.starts_with(key)) << word;
      if (parts[0] == "one-slip") {
        EXPECT_TRUE(within_one_edit(code_points(key), code_points(other))) << word;
      }
      clashes += parts[0] == "same-key" || parts[0] == "has-prefix" || parts[0] == "prefix-of";
    }
    // The EFF list is prefix-free already; Persian words clash often.
    if (language == Language::kPersian) EXPECT_GT(clashes, 100u) << file;
  }
}

}  // namespace
}  // namespace safehouse::codename
