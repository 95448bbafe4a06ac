// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/fuzz/published_file_fuzz.cpp: the published-file entry and FILE.sig
// parsers (cli/published_file.h) on arbitrary bytes: no crash, and whatever
// parses formats back to the same bytes (one spelling).
#include <cstdlib>
#include <string_view>

#include "cli/published_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  using namespace safehouse::cli;
  if (auto file = parse_published_file(text)) {
    auto again = format_published_file(*file);
    if (!again || *again != text) std::abort();
  }
  if (auto receipt = parse_receipt(text)) {
    auto again = format_receipt(*receipt);
    if (again && *again != text) std::abort();
  }
  return 0;
}
