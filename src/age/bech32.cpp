// SPDX-License-Identifier: AGPL-3.0-or-later
// age/bech32.cpp: BIP 173 Bech32, written here because no Debian library
// offers it. The checksum is BCH over GF(32) as in the BIP's reference code.
#include "age/bech32.h"

#include <array>
#include <cstdint>

#include "crypto/secret_bytes.h"

namespace safehouse::age::detail {
namespace {

constexpr std::string_view kCharset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
constexpr std::size_t kChecksumChars = 6;
constexpr std::size_t kBip173MaxChars = 90;

std::uint32_t polymod(std::span<const std::uint8_t> values) {
  constexpr std::array<std::uint32_t, 5> kGen = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd,
                                                 0x2a1462b3};
  std::uint32_t chk = 1;
  for (std::uint8_t v : values) {
    std::uint32_t top = chk >> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (int i = 0; i < 5; ++i) {
      if ((top >> i) & 1) chk ^= kGen[static_cast<std::size_t>(i)];
    }
  }
  return chk;
}

char to_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
char to_upper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

// hrp expanded (high bits, 0, low bits) followed by the 5-bit data.
Bytes checksum_input(std::string_view hrp, std::span<const std::uint8_t> data) {
  Bytes values;
  values.reserve(hrp.size() * 2 + 1 + data.size() + kChecksumChars);
  for (char c : hrp) values.push_back(static_cast<std::uint8_t>(to_lower(c)) >> 5);
  values.push_back(0);
  for (char c : hrp) values.push_back(static_cast<std::uint8_t>(to_lower(c)) & 31);
  values.insert(values.end(), data.begin(), data.end());
  return values;
}

// Regroups bits; `pad` adds zero bits to finish the last group, otherwise
// leftover bits must be fewer than `from` and zero (canonical encoding).
bool convert_bits(std::span<const std::uint8_t> in, int from, int to, bool pad, Bytes& out) {
  std::uint32_t acc = 0;
  int bits = 0;
  const std::uint32_t max = (1u << to) - 1;
  for (std::uint8_t v : in) {
    if ((v >> from) != 0) return false;
    acc = (acc << from) | v;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & max));
    }
  }
  if (pad) {
    if (bits > 0) out.push_back(static_cast<std::uint8_t>((acc << (to - bits)) & max));
  } else if (bits >= from || ((acc << (to - bits)) & max) != 0) {
    return false;
  }
  crypto::wipe({reinterpret_cast<std::uint8_t*>(&acc), sizeof acc});
  return true;
}

}  // namespace

std::string bech32_encode(std::string_view hrp, ByteSpan data) {
  Bytes values;
  convert_bits(data, 8, 5, true, values);
  Bytes input = checksum_input(hrp, values);
  input.resize(input.size() + kChecksumChars, 0);
  std::uint32_t mod = polymod(input) ^ 1;
  for (std::size_t i = 0; i < kChecksumChars; ++i) {
    values.push_back(static_cast<std::uint8_t>((mod >> (5 * (5 - i))) & 31));
  }
  bool upper = !hrp.empty() && to_lower(hrp[0]) != hrp[0];
  std::string out(hrp);
  out.push_back('1');
  for (std::uint8_t v : values) out.push_back(upper ? to_upper(kCharset[v]) : kCharset[v]);
  crypto::wipe(values);
  crypto::wipe(input);
  return out;
}

Result<Bech32> bech32_decode(std::string_view text, bool limit_90) {
  if (limit_90 && text.size() > kBip173MaxChars) return malformed("bech32: string too long");
  bool has_lower = false, has_upper = false;
  for (char c : text) {
    if (c < 33 || c > 126) return malformed("bech32: invalid character");
    has_lower |= (c >= 'a' && c <= 'z');
    has_upper |= (c >= 'A' && c <= 'Z');
  }
  if (has_lower && has_upper) return malformed("bech32: mixed case");
  std::size_t sep = text.rfind('1');
  if (sep == std::string_view::npos || sep == 0 || sep + 1 + kChecksumChars > text.size()) {
    return malformed("bech32: separator at invalid position");
  }
  Bytes values;
  values.reserve(text.size() - sep - 1);
  for (char c : text.substr(sep + 1)) {
    std::size_t d = kCharset.find(to_lower(c));
    if (d == std::string_view::npos) return malformed("bech32: invalid data character");
    values.push_back(static_cast<std::uint8_t>(d));
  }
  Bech32 out{std::string(text.substr(0, sep)), {}};
  Bytes input = checksum_input(out.hrp, values);
  bool ok = polymod(input) == 1;
  crypto::wipe(input);
  if (!ok) {
    crypto::wipe(values);
    return malformed("bech32: invalid checksum");
  }
  ok = convert_bits(std::span(values).first(values.size() - kChecksumChars), 5, 8, false, out.data);
  crypto::wipe(values);
  if (!ok) {
    crypto::wipe(out.data);
    return malformed("bech32: invalid padding");
  }
  return out;
}

}  // namespace safehouse::age::detail
