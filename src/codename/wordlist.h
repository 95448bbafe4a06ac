// SPDX-License-Identifier: AGPL-3.0-or-later
// codename/wordlist.h: the English and Persian codename word lists, 4096
// words each, compiled into the library (generated from wordlists/*.txt by
// scripts/wordlists/generate.py). A word's line number is its index, and the
// index is what a codename stores. Knows nothing of keys or of typing.
#ifndef SAFEHOUSE_CODENAME_WORDLIST_H_
#define SAFEHOUSE_CODENAME_WORDLIST_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace safehouse::codename {

enum class Language { kEnglish, kPersian };

// 12 bits a word.
inline constexpr std::size_t kWordlistSize = 4096;

// The words of one list in index order; each is already normalised.
// Thread-safe; the views stay valid for the life of the program.
std::span<const std::string_view, kWordlistSize> wordlist(Language language);

// The index of a normalised word in either list (the lists share no word),
// or nothing. Thread-safe.
std::optional<std::uint16_t> find_word(std::string_view normalised_word);

}  // namespace safehouse::codename

#endif  // SAFEHOUSE_CODENAME_WORDLIST_H_
