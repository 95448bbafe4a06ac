// SPDX-License-Identifier: AGPL-3.0-or-later
// intake/alias.cpp: two words from the embedded English word list.
#include "intake/alias.h"

#include <sodium.h>

#include "codename/wordlist.h"

namespace safehouse::intake {

std::string random_alias() {
  const auto words = codename::wordlist(codename::Language::kEnglish);
  const auto pick = [&] {
    return words[randombytes_uniform(static_cast<std::uint32_t>(words.size()))];
  };
  std::string alias(pick());
  alias += '-';
  alias += pick();
  return alias;
}

}  // namespace safehouse::intake
