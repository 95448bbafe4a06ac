// SPDX-License-Identifier: AGPL-3.0-or-later
// review/base32.cpp: RFC 4648 base32, 5 bits a character, bit by bit.
#include "review/base32.h"

#include <cstdint>

namespace safehouse::review {
namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int decode_char(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}

// Characters in a final group that hold whole bytes: 2→1, 4→2, 5→3, 7→4.
bool valid_tail_length(std::size_t chars) {
  return chars == 0 || chars == 2 || chars == 4 || chars == 5 || chars == 7;
}

}  // namespace

std::string base32_encode(ByteSpan data, Base32Padding padding) {
  std::string out;
  out.reserve((data.size() + 4) / 5 * 8);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (std::uint8_t byte : data) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(kAlphabet[(buffer >> bits) & 0x1f]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 0x1f]);
  if (padding == Base32Padding::kPad) {
    while (out.size() % 8 != 0) out.push_back('=');
  }
  return out;
}

Result<Bytes> base32_decode(std::string_view text) {
  std::size_t end = text.find('=');
  if (end != std::string_view::npos) {
    if (text.size() % 8 != 0) return malformed("base32: padding to a length not a multiple of 8");
    if (text.find_first_not_of('=', end) != std::string_view::npos) {
      return malformed("base32: data after padding");
    }
  } else {
    end = text.size();
  }
  const std::string_view body = text.substr(0, end);
  if (!valid_tail_length(body.size() % 8)) return malformed("base32: impossible length");
  if (end != text.size() && (text.size() - end) != (8 - body.size() % 8) % 8) {
    return malformed("base32: wrong amount of padding");
  }
  Bytes out;
  out.reserve(body.size() * 5 / 8);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : body) {
    const int value = decode_char(c);
    if (value < 0) return malformed("base32: character outside the alphabet");
    buffer = (buffer << 5) | static_cast<std::uint32_t>(value);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(buffer >> bits));
    }
  }
  if ((buffer & ((1u << bits) - 1)) != 0) return malformed("base32: non-zero trailing bits");
  return out;
}

}  // namespace safehouse::review
