// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/fuzz/age_header_fuzz.cpp: the age header parser on arbitrary bytes.
// Whatever parses must re-serialise to exactly the bytes the MAC covers
// (the parser accepts one encoding only), and nothing may crash.
#include <cstdlib>

#include "age/format.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace safehouse::age::detail;
  auto parsed = parse_header({data, size});
  if (!parsed) return 0;
  if (header_mac_input(parsed->header.stanzas) != parsed->mac_input) std::abort();
  if (parsed->header.mac.size() != 32) std::abort();
  return 0;
}
