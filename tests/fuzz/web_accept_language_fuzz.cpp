// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/fuzz/web_accept_language_fuzz.cpp: web::preferred_language on any
// header value: never crashes, and its answer names a language whose code
// appears in the input (it cannot invent a preference).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "web/language.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto language = safehouse::web::preferred_language(input)) {
    std::string lower(input);
    for (char& c : lower) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if (lower.find(safehouse::web::code(*language)) == std::string::npos) std::abort();
  }
  return 0;
}
