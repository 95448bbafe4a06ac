// SPDX-License-Identifier: AGPL-3.0-or-later
// age/armor_base64.cpp: RFC 4648 §4 base64 with padding, rejecting every
// non-canonical form (RFC 4648 §3.5) so that armored files stay unmalleable.
#include "age/armor_base64.h"

#include <array>

namespace safehouse::age::detail {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::uint8_t kInvalid = 0xff;

constexpr std::array<std::uint8_t, 256> make_table() {
  std::array<std::uint8_t, 256> t{};
  for (auto& v : t) v = kInvalid;
  for (std::uint8_t i = 0; i < 64; ++i) t[static_cast<unsigned char>(kAlphabet[i])] = i;
  return t;
}
constexpr std::array<std::uint8_t, 256> kTable = make_table();

std::uint8_t value(char c) {
  return kTable[static_cast<unsigned char>(c)];
}

}  // namespace

void armor_base64_encode(ByteSpan data, char* out) {
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    std::uint32_t v =
        (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) | data[i + 2];
    *out++ = kAlphabet[(v >> 18) & 63];
    *out++ = kAlphabet[(v >> 12) & 63];
    *out++ = kAlphabet[(v >> 6) & 63];
    *out++ = kAlphabet[v & 63];
  }
  std::size_t rest = data.size() - i;
  if (rest == 0) return;
  std::uint32_t v = std::uint32_t{data[i]} << 16;
  if (rest == 2) v |= std::uint32_t{data[i + 1]} << 8;
  *out++ = kAlphabet[(v >> 18) & 63];
  *out++ = kAlphabet[(v >> 12) & 63];
  *out++ = rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
  *out++ = '=';
}

std::ptrdiff_t armor_base64_decode(std::string_view text, std::uint8_t* out) {
  if (text.size() % 4 != 0) return -1;
  std::uint8_t* start = out;
  for (std::size_t i = 0; i < text.size(); i += 4) {
    std::uint8_t a = value(text[i]), b = value(text[i + 1]);
    std::uint8_t c = value(text[i + 2]), d = value(text[i + 3]);
    if (((a | b | c | d) & 0xc0) == 0) {  // four alphabet characters
      std::uint32_t v = (std::uint32_t{a} << 18) | (std::uint32_t{b} << 12) | (c << 6) | d;
      *out++ = static_cast<std::uint8_t>(v >> 16);
      *out++ = static_cast<std::uint8_t>(v >> 8);
      *out++ = static_cast<std::uint8_t>(v);
      continue;
    }
    // Only the last group may be padded, as "xx==" or "xxx=", with the bits
    // under the padding zero.
    if (i + 4 != text.size() || a == kInvalid || b == kInvalid || text[i + 3] != '=') return -1;
    if (text[i + 2] == '=') {
      if ((b & 0x0f) != 0) return -1;
      *out++ = static_cast<std::uint8_t>((a << 2) | (b >> 4));
    } else {
      if (c == kInvalid || (c & 0x03) != 0) return -1;
      *out++ = static_cast<std::uint8_t>((a << 2) | (b >> 4));
      *out++ = static_cast<std::uint8_t>(((b & 0x0f) << 4) | (c >> 2));
    }
  }
  return out - start;
}

}  // namespace safehouse::age::detail
