// SPDX-License-Identifier: AGPL-3.0-or-later
// tlog/encoding.h: the small text encodings every C2SP tlog format shares:
// standard base64 (RFC 4648 §4, padded, strict) and ASCII decimals with no
// leading zeroes. Strict on purpose: a checkpoint or note has exactly one
// byte form, so two parties comparing bytes agree on what was signed.
#ifndef SAFEHOUSE_TLOG_ENCODING_H_
#define SAFEHOUSE_TLOG_ENCODING_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/byte_stream.h"

namespace safehouse::tlog {

std::string base64_encode(ByteSpan bytes);
// Canonical padded standard base64 only (no whitespace, no missing padding,
// no non-zero trailing bits); nullopt otherwise.
std::optional<Bytes> base64_decode(std::string_view text);

// "0" or a decimal without leading zeroes that fits in a uint64; nullopt
// otherwise (signs, spaces, overflow).
std::optional<std::uint64_t> parse_decimal(std::string_view text);

}  // namespace safehouse::tlog

#endif  // SAFEHOUSE_TLOG_ENCODING_H_
