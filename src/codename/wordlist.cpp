// SPDX-License-Identifier: AGPL-3.0-or-later
// codename/wordlist.cpp: splits the embedded word-list bytes into words once
// and indexes them for lookup. The embedded bytes come from a file CMake
// generates (embed_wordlists.cmake), which also checks the line counts.
#include "codename/wordlist.h"

#include <array>
#include <stdexcept>
#include <string>
#include <unordered_map>

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

struct Lists {
  Words english;
  Words persian;
  std::unordered_map<std::string_view, std::uint16_t> index;

  Lists()
      : english(split_lines(detail::kEnglishWordlistText, detail::kEnglishWordlistTextSize)),
        persian(split_lines(detail::kPersianWordlistText, detail::kPersianWordlistTextSize)) {
    index.reserve(2 * kWordlistSize);
    for (const Words* words : {&english, &persian}) {
      for (std::size_t i = 0; i < kWordlistSize; ++i) {
        if (!index.emplace((*words)[i], static_cast<std::uint16_t>(i)).second) {
          throw std::logic_error("codename: a word appears twice in the word lists");
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

std::optional<std::uint16_t> find_word(std::string_view normalised_word) {
  const Lists& all = lists();
  const auto found = all.index.find(normalised_word);
  if (found == all.index.end()) return std::nullopt;
  return found->second;
}

}  // namespace safehouse::codename
