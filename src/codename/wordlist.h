// SPDX-License-Identifier: AGPL-3.0-or-later
// codename/wordlist.h: the English and Persian codename word lists, 2048
// words each, compiled into the library (generated from wordlists/*.txt by
// scripts/wordlists/generate.py). A word's line number is its index, and the
// index is what a codename stores. Words are found by their folding key
// (normalise.h), which is unique, and no key is a prefix of another. Knows
// nothing of derived keys.
#ifndef SAFEHOUSE_CODENAME_WORDLIST_H_
#define SAFEHOUSE_CODENAME_WORDLIST_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace safehouse::codename {

enum class Language { kEnglish, kPersian };

// 11 bits a word.
inline constexpr std::size_t kWordBits = 11;
inline constexpr std::size_t kWordlistSize = std::size_t{1} << kWordBits;

// The words of one list in index order, spelled as they are shown; each is
// already normalised. Thread-safe; the views stay valid for the life of the
// program.
std::span<const std::string_view, kWordlistSize> wordlist(Language language);

// The index of the word of either list whose folding key is `key` (the two
// lists share no key: their letters differ), or nothing. Thread-safe.
std::optional<std::uint16_t> find_word(std::string_view key);

// A word of either list whose key is a prefix of `keys`: its index and the
// length of its key in bytes, or nothing. Since no key is a prefix of
// another, there is at most one. Thread-safe.
struct KeyMatch {
  std::uint16_t index;
  std::size_t length;
};
std::optional<KeyMatch> match_prefix(std::string_view keys);

}  // namespace safehouse::codename

#endif  // SAFEHOUSE_CODENAME_WORDLIST_H_
