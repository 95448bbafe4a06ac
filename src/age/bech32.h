// SPDX-License-Identifier: AGPL-3.0-or-later
// age/bech32.h: Bech32 (BIP 173) encoding of age key strings. Unlike BIP 173
// there is no 90-character limit (age keys are longer); mixed case is
// rejected. Knows nothing of keys.
#ifndef SAFEHOUSE_AGE_BECH32_H_
#define SAFEHOUSE_AGE_BECH32_H_

#include <string>
#include <string_view>

#include "base/byte_stream.h"
#include "base/error.h"

namespace safehouse::age::detail {

struct Bech32 {
  std::string hrp;  // as written (all upper or all lower case)
  Bytes data;       // 8-bit bytes; the caller wipes it if it is a secret
};

// Encodes `data` under `hrp` in lower case (upper case if `hrp` is upper case).
std::string bech32_encode(std::string_view hrp, ByteSpan data);
// Decodes and checks the checksum (computed over the lower-case form).
// `limit_90` applies BIP 173's length limit (used by its test vectors).
Result<Bech32> bech32_decode(std::string_view text, bool limit_90 = false);

}  // namespace safehouse::age::detail

#endif  // SAFEHOUSE_AGE_BECH32_H_
