// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/fuzz/store_names_fuzz.cpp: the store's small parsers — SHA-256 hex
// (names of blobs), status and direction names, days — never crash, and
// whatever they accept prints back to the same text.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "store/types.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace safehouse::store;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto digest = sha256_from_hex(text); digest && to_hex(*digest) != text) std::abort();
  if (auto status = status_from_name(text); status && status_name(*status) != text) std::abort();
  if (auto dir = direction_from_name(text); dir && direction_name(*dir) != text) std::abort();
  if (size >= 4) {
    std::int32_t day;
    std::memcpy(&day, data, 4);
    (void)is_valid_day(day);
  }
  return 0;
}
