// SPDX-License-Identifier: AGPL-3.0-or-later
// tlog/encoding.cpp: base64 through libsodium, decimals by hand (std::from_chars
// accepts leading zeroes, which the C2SP formats forbid).
#include "tlog/encoding.h"

#include <sodium.h>

#include <charconv>

namespace safehouse::tlog {

std::string base64_encode(ByteSpan bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::optional<Bytes> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  if (text.empty()) return Bytes{};
  Bytes out(text.size() / 4 * 3);
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &length, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(length);
  // libsodium ignores non-zero bits in the last character; re-encoding
  // catches them, so every value has one accepted spelling.
  if (base64_encode(out) != text) return std::nullopt;
  return out;
}

std::optional<std::uint64_t> parse_decimal(std::string_view text) {
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace safehouse::tlog
