// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/fuzz/http_log_pages_fuzz.cpp: what the source pages read from
// untrusted input for the log (http/log_pages.h): the published page's
// SHA-256 field, and statement notes (as a database could hold them)
// turned into the landing page's list. An accepted hash re-reads as the
// same digest; a listing never yields more than one item, and one only if
// its note parses as a signed statement.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/log_pages.h"
#include "tlog/note.h"
#include "tlog/statement.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace safehouse;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto digest = http::parse_sha256_hex(input)) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (std::uint8_t byte : *digest) {
      hex.push_back(kHex[byte >> 4]);
      hex.push_back(kHex[byte & 15]);
    }
    if (http::parse_sha256_hex(hex) != digest) std::abort();
    if (input.size() < 64) std::abort();
  }
  const auto items = http::statement_items({{1, std::string(input)}});
  if (items.size() > 1) std::abort();
  if (items.size() == 1) {
    auto note = tlog::parse_note(input);
    if (!note || !tlog::parse_statement(note->text)) std::abort();
  }
  return 0;
}
