// SPDX-License-Identifier: AGPL-3.0-or-later
// review/base32.h: RFC 4648 base32 (upper-case alphabet), as tor writes
// onion-service client authorisation keys. Encoding is for key files and the
// torrc helper; decoding exists so tests can round-trip. Knows nothing of tor.
#ifndef SAFEHOUSE_REVIEW_BASE32_H_
#define SAFEHOUSE_REVIEW_BASE32_H_

#include <string>
#include <string_view>

#include "base/byte_stream.h"
#include "base/error.h"

namespace safehouse::review {

enum class Base32Padding { kNone, kPad };

// RFC 4648 §6 encoding, upper case; with kPad, '=' up to a multiple of 8.
std::string base32_encode(ByteSpan data, Base32Padding padding = Base32Padding::kNone);

// Decodes upper- or lower-case base32, padded or not. kMalformed for a
// character outside the alphabet, misplaced or wrong-length padding, an
// impossible length (1, 3 or 6 characters in the last group) or non-zero
// trailing bits (non-canonical).
Result<Bytes> base32_decode(std::string_view text);

}  // namespace safehouse::review

#endif  // SAFEHOUSE_REVIEW_BASE32_H_
