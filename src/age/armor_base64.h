// SPDX-License-Identifier: AGPL-3.0-or-later
// age/armor_base64.h: strict padded base64 for armor lines, table-driven.
// libsodium's codec is constant-time and runs at about 200 MB/s; armor only
// ever carries ciphertext, which is public, so a variable-time codec is safe
// here and several times faster. Header fields keep using libsodium's.
#ifndef SAFEHOUSE_AGE_ARMOR_BASE64_H_
#define SAFEHOUSE_AGE_ARMOR_BASE64_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/byte_stream.h"

namespace safehouse::age::detail {

// Writes the padded encoding of `data` (4 * ceil(n / 3) characters) to `out`.
void armor_base64_encode(ByteSpan data, char* out);

// Decodes `text` into `out` (room for text.size() / 4 * 3 bytes needed) and
// returns the decoded length, or -1 unless `text` is canonical padded base64:
// a multiple of 4 characters, alphabet only, '=' only as the final padding,
// and zero bits under the padding.
std::ptrdiff_t armor_base64_decode(std::string_view text, std::uint8_t* out);

}  // namespace safehouse::age::detail

#endif  // SAFEHOUSE_AGE_ARMOR_BASE64_H_
