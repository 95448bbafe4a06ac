// SPDX-License-Identifier: AGPL-3.0-or-later
// codename/wordlist.cpp: splits the embedded word-list bytes into words once
// and indexes them by folding key for lookup. The embedded bytes come from a
// file CMake generates (embed_wordlists.cmake), which also checks the line
// counts.
#include "codename/wordlist.h"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "codename/normalise.h"

namespace safehouse::codename {
namespace detail {
extern const unsigned char kEnglishWordlistText[];
extern const std::size_t kEnglishWordlistTextSize;
extern const unsigned char kPersianWordlistText[];
extern const std::size_t kPersianWordlistTextSize;
}  // namespace detail

namespace {

using Words = std::array<std::string_view, kWordlistSize>;

// One word a line, each line ending in '\n'. A list of any other shape is a
// build bug, so it throws rather than returning an error.
Words split_lines(const unsigned char* bytes, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(bytes), size);
  Words words;
  std::size_t count = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos || end == start || count == kWordlistSize) {
      throw std::logic_error("codename: embedded word list is malformed");
    }
    words[count++] = text.substr(start, end - start);
    start = end + 1;
  }
  if (count != kWordlistSize) throw std::logic_error("codename: embedded word list is short");
  return words;
}

// The lists' promises that lookup relies on are checked once, at start: a
// list that breaks them is a build bug, so it throws.
struct Lists {
  Words english;
  Words persian;
  std::vector<std::string> keys;  // reserved up front: the views below stay valid
  std::unordered_map<std::string_view, std::uint16_t> index;  // folding key -> index
  std::size_t longest_key = 0;

  Lists()
      : english(split_lines(detail::kEnglishWordlistText, detail::kEnglishWordlistTextSize)),
        persian(split_lines(detail::kPersianWordlistText, detail::kPersianWordlistTextSize)) {
    keys.reserve(2 * kWordlistSize);
    index.reserve(2 * kWordlistSize);
    for (const Words* words : {&english, &persian}) {
      for (std::size_t i = 0; i < kWordlistSize; ++i) {
        const std::string& key = keys.emplace_back(fold_key((*words)[i]));
        if (key.empty()) throw std::logic_error("codename: a word has an empty key");
        longest_key = std::max(longest_key, key.size());
        if (!index.emplace(key, static_cast<std::uint16_t>(i)).second) {
          throw std::logic_error("codename: two words of the word lists share a key");
        }
      }
    }
    for (const std::string_view key : keys) {
      for (std::size_t n = 1; n < key.size(); ++n) {
        if (index.count(key.substr(0, n)) != 0) {
          throw std::logic_error("codename: a word's key is a prefix of another's");
        }
      }
    }
  }
};

const Lists& lists() {
  static const Lists instance;  // thread-safe initialisation (C++11 magic statics)
  return instance;
}

}  // namespace

std::span<const std::string_view, kWordlistSize> wordlist(Language language) {
  const Lists& all = lists();
  return language == Language::kEnglish ? std::span(all.english) : std::span(all.persian);
}

std::optional<std::uint16_t> find_word(std::string_view key) {
  const Lists& all = lists();
  const auto found = all.index.find(key);
  if (found == all.index.end()) return std::nullopt;
  return found->second;
}

std::optional<KeyMatch> match_prefix(std::string_view keys) {
  const Lists& all = lists();
  const std::size_t longest = std::min(keys.size(), all.longest_key);
  for (std::size_t n = 1; n <= longest; ++n) {
    const auto found = all.index.find(keys.substr(0, n));
    if (found != all.index.end()) return KeyMatch{found->second, n};
  }
  return std::nullopt;
}

}  // namespace safehouse::codename
