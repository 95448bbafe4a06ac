// SPDX-License-Identifier: AGPL-3.0-or-later
// intake/sources.cpp: the reply-recipient setting and day formatting.
#include "intake/sources.h"

#include <cstdio>

namespace safehouse::intake {

namespace {

std::string reply_key(const store::SourceId& source_id) {
  return "source/" + source_id_hex(source_id) + "/reply_recipient";
}

}  // namespace

std::string source_id_hex(const store::SourceId& source_id) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (std::uint8_t b : source_id) {
    hex += kHex[b >> 4];
    hex += kHex[b & 15];
  }
  return hex;
}

void record_reply_recipient(store::WriteBatch& batch, const store::SourceId& source_id,
                            const age::X25519Recipient& recipient) {
  const std::string text = recipient.to_string();
  batch.put_setting(reply_key(source_id), Bytes(text.begin(), text.end()));
}

Result<age::X25519Recipient> reply_recipient(store::Store& store,
                                             const store::SourceId& source_id) {
  auto value = store.get_setting(reply_key(source_id));
  if (!value) return value.error().with_context("reply recipient");
  auto recipient = age::X25519Recipient::parse(
      std::string_view(reinterpret_cast<const char*>(value->data()), value->size()));
  if (!recipient) return recipient.error().with_context("reply recipient");
  return *recipient;
}

std::string format_day(store::Day day) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", day / 10000, (day / 100) % 100, day % 100);
  return text;
}

}  // namespace safehouse::intake
