// SPDX-License-Identifier: AGPL-3.0-or-later
// intake/sources.cpp: the reply recipient from the source record; days.
#include "intake/sources.h"

#include <cstdio>

namespace safehouse::intake {

std::string source_id_hex(const store::SourceId& source_id) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (std::uint8_t b : source_id) {
    hex += kHex[b >> 4];
    hex += kHex[b & 15];
  }
  return hex;
}

Result<age::X25519Recipient> reply_recipient(store::Store& store,
                                             const store::SourceId& source_id) {
  auto source = store.get_source(source_id);
  if (!source) return source.error().with_context("reply recipient");
  if (source->reply_recipient.empty()) {
    return Error(ErrorCode::kNotFound, "reply recipient: the source has none");
  }
  auto recipient = age::X25519Recipient::parse(source->reply_recipient);
  if (!recipient) return recipient.error().with_context("reply recipient");
  return *recipient;
}

std::string format_day(store::Day day) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", day / 10000, (day / 100) % 100, day % 100);
  return text;
}

}  // namespace safehouse::intake
