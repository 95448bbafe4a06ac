// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/fuzz/tlog_openings_fuzz.cpp: the openings file an observer decrypts,
// a single opening, and statement periods (tlog/case_log.h) on arbitrary
// bytes: no crash; whatever parses formats back to the same text (one
// spelling), and a period's first day is never after its last.
#include <cstdlib>
#include <string_view>

#include "tlog/case_log.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  using namespace safehouse::tlog;
  if (auto file = parse_openings_file(text)) {
    auto again = format_openings_file(*file);
    if (!again || *again != text) std::abort();
  }
  unsigned version = 0;
  if (auto opening = parse_opening(text, &version)) {
    auto again = encode_opening(*opening, version);
    if (!again || *again != text) std::abort();
  }
  if (auto period = parse_period(text)) {
    if (!is_valid_day(period->first_day) || !is_valid_day(period->last_day) ||
        period->first_day > period->last_day) {
      std::abort();
    }
  }
  return 0;
}
