// SPDX-License-Identifier: AGPL-3.0-or-later
// codename/normalise.h: turns what a person typed into the one form the word
// lists are written in (normalise), and that into the folding key sign-in
// compares (fold_key), so that a codename typed on any Persian, Arabic or
// English keyboard, with invisible marks, spelling slips between letters that
// sound alike, or spaces anywhere, finds the same words. The word-list
// generator (scripts/wordlists/generate.py) builds the lists with the same
// key. Knows Unicode (through ICU), nothing of word lists or keys.
#ifndef SAFEHOUSE_CODENAME_NORMALISE_H_
#define SAFEHOUSE_CODENAME_NORMALISE_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "base/error.h"

namespace safehouse::codename {

// Longest input normalise() accepts, in bytes: far more than any codename
// (9 words), small enough that the work per call stays trivial.
inline constexpr std::size_t kMaxNormaliseInputBytes = 4096;

// NFKC with case folding (lower case for matching); Persian (۰-۹) and
// Arabic-Indic (٠-٩) digits to ASCII; Arabic ي and ى to Persian ی, Arabic ك
// to Persian ک; removes ZWNJ/ZWJ, bidi marks, tatweel and Arabic diacritics;
// whitespace, NBSP, commas (, ، ؛) and hyphens become single spaces; trims.
// normalise(normalise(x)) == normalise(x).
// Errors: kMalformed (not UTF-8), kTooLarge (over kMaxNormaliseInputBytes).
Result<std::string> normalise(std::string_view typed);

// The folding key of normalised text (normalise()'s output), one string of
// letters with nothing between words:
//   Persian letters that sound alike or are typed for one another fold to
//   one: ت=ط; س=ص=ث; ز=ذ=ض=ظ=ژ; ه=ح=ة=ە=ھ=ہ; ق=غ; ا=آ=ع=أ=إ=ٱ; و=ؤ;
//   ی=ئ=ي=ى; ک=ك=گ; ب=پ; ج=چ (پ چ ژ گ for Arabic keyboards, which lack
//   them; docs/codename.md says why);
//   hamza on its own (ء), white space, digits and punctuation are dropped,
//   with any combining marks that sit on them;
//   everything else (the other letters, Latin letters) is kept as it is.
// Both word lists are prefix-free on this key, so the key of a typed
// codename splits into words in exactly one way, wherever the spaces were.
// The result is as secret as its input: the caller wipes it.
std::string fold_key(std::string_view normalised);

}  // namespace safehouse::codename

#endif  // SAFEHOUSE_CODENAME_NORMALISE_H_
