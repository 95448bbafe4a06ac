// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/fuzz/codename_normalise_fuzz.cpp: normalise(), fold_key() and
// Codename::parse() on arbitrary bytes. They must never crash; normalise
// must be idempotent; the folding key must be idempotent, never longer than
// its input, and a fixed point of normalise; whatever parse accepts must
// render and parse back to the same codename, and so must its folding key
// typed as it is (no spaces, folded letters) and with a space after every
// letter: spaces and folded letters never change what a codename means.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "codename/codename.h"
#include "codename/normalise.h"

using namespace safehouse;
using namespace safehouse::codename;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view typed(reinterpret_cast<const char*>(data), size);
  auto once = normalise(typed);
  if (once) {
    auto twice = normalise(*once);
    if (!twice || *twice != *once) std::abort();
    const std::string key = fold_key(*once);
    if (key.size() > once->size() || fold_key(key) != key) std::abort();
    auto key_normalised = normalise(key);
    if (!key_normalised || *key_normalised != key) std::abort();
  }

  auto parsed = Codename::parse(typed);
  if (parsed && !once) std::abort();
  if (!parsed) return 0;
  for (const Language language : {Language::kEnglish, Language::kPersian}) {
    auto again = Codename::parse(parsed->render(language));
    if (!again || !again->equals(*parsed)) std::abort();
  }
  // The key of what was typed, as one run of letters and letter by letter.
  const std::string key = fold_key(*once);
  auto from_key = Codename::parse(key);
  if (!from_key || !from_key->equals(*parsed)) std::abort();
  std::string spaced;
  for (std::size_t i = 0; i < key.size(); ++i) {
    spaced.push_back(key[i]);
    const bool ends_letter = i + 1 == key.size() || (key[i + 1] & 0xc0) != 0x80;
    if (ends_letter) spaced.push_back(' ');
  }
  auto from_spaced = Codename::parse(spaced);
  if (!from_spaced || !from_spaced->equals(*parsed)) std::abort();
  return 0;
}
