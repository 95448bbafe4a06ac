// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/fuzz/codename_normalise_fuzz.cpp: normalise() and Codename::parse()
// on arbitrary bytes. They must never crash; normalise must be idempotent;
// whatever parse accepts must render and parse back to the same codename,
// and parse must accept exactly what normalises to 8 listed words.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "codename/codename.h"
#include "codename/normalise.h"
#include "crypto/sodium_init.h"

using namespace safehouse;
using namespace safehouse::codename;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  crypto::init_sodium();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view typed(reinterpret_cast<const char*>(data), size);
  auto once = normalise(typed);
  if (once) {
    auto twice = normalise(*once);
    if (!twice || *twice != *once) std::abort();
  }

  auto parsed = Codename::parse(typed);
  if (parsed && !once) std::abort();
  if (!parsed) return 0;
  for (const Language language : {Language::kEnglish, Language::kPersian}) {
    auto again = Codename::parse(parsed->render(language));
    if (!again || !again->equals(*parsed)) std::abort();
  }
  return 0;
}
