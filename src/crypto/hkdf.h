// SPDX-License-Identifier: AGPL-3.0-or-later
// crypto/hkdf.h: HKDF-SHA-256 (RFC 5869) on libsodium's HMAC-SHA-256.
// Written here because libsodium 1.0.18 (Debian 12) has no HKDF; 1.0.19 does.
#ifndef SAFEHOUSE_CRYPTO_HKDF_H_
#define SAFEHOUSE_CRYPTO_HKDF_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "crypto/secret_bytes.h"

namespace safehouse::crypto {

// Largest output RFC 5869 allows for SHA-256: 255 blocks of 32 bytes.
inline constexpr std::size_t kHkdfMaxOutputBytes = 255 * 32;

// Extract-then-expand. An empty salt means 32 zero bytes, as the RFC says.
// Requires: length <= kHkdfMaxOutputBytes.
SecretBytes hkdf_sha256(std::span<const std::uint8_t> ikm, std::span<const std::uint8_t> salt,
                        std::span<const std::uint8_t> info, std::size_t length);

// The same with a text `info`, the usual case ("age-encryption.org/v1/payload").
SecretBytes hkdf_sha256(std::span<const std::uint8_t> ikm, std::span<const std::uint8_t> salt,
                        std::string_view info, std::size_t length);

}  // namespace safehouse::crypto

#endif  // SAFEHOUSE_CRYPTO_HKDF_H_
