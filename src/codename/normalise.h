// SPDX-License-Identifier: AGPL-3.0-or-later
// codename/normalise.h: turns what a person typed into the one form the word
// lists are written in, so that a codename typed on any Persian, Arabic or
// English keyboard, with or without invisible marks, finds the same words.
// Knows Unicode (through ICU), nothing of word lists or keys.
#ifndef SAFEHOUSE_CODENAME_NORMALISE_H_
#define SAFEHOUSE_CODENAME_NORMALISE_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "base/error.h"

namespace safehouse::codename {

// Longest input normalise() accepts, in bytes: far more than any codename
// (8 words), small enough that the work per call stays trivial.
inline constexpr std::size_t kMaxNormaliseInputBytes = 4096;

// NFKC with case folding (lower case for matching); Persian (۰-۹) and
// Arabic-Indic (٠-٩) digits to ASCII; Arabic ي and ى to Persian ی, Arabic ك
// to Persian ک; removes ZWNJ/ZWJ, bidi marks, tatweel and Arabic diacritics;
// whitespace, NBSP, commas (, ، ؛) and hyphens become single spaces; trims.
// normalise(normalise(x)) == normalise(x).
// Errors: kMalformed (not UTF-8), kTooLarge (over kMaxNormaliseInputBytes).
Result<std::string> normalise(std::string_view typed);

}  // namespace safehouse::codename

#endif  // SAFEHOUSE_CODENAME_NORMALISE_H_
