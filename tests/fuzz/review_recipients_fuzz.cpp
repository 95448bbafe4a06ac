// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/fuzz/review_recipients_fuzz.cpp: the recipient set's text
// (review/recipients.h) on any input: never a crash; what it accepts has at
// least one recipient, none twice, and formats to a text that parses back to
// the same entries.
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "review/recipients.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace safehouse::review;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto entries = parse_recipient_entries(text);
  if (!entries) return 0;
  if (entries->empty()) std::abort();
  std::set<std::string> seen;
  for (const auto& entry : *entries) {
    if (!seen.insert(entry.recipient).second) std::abort();
    if (entry.label.find('\n') != std::string::npos) std::abort();
  }
  auto again = parse_recipient_entries(format_recipient_entries(*entries));
  if (!again) std::abort();
  // Labels keep their text but lose a trailing '\r' and a leading space.
  if (again->size() != entries->size()) std::abort();
  for (std::size_t i = 0; i < entries->size(); ++i) {
    if ((*again)[i].recipient != (*entries)[i].recipient) std::abort();
  }
  return 0;
}
