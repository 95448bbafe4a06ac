// SPDX-License-Identifier: AGPL-3.0-or-later
// crypto/hkdf.cpp: HKDF-SHA-256 from HMAC-SHA-256 (RFC 5869 §2.2, §2.3).
#include "crypto/hkdf.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace safehouse::crypto {

SecretBytes hkdf_sha256(std::span<const std::uint8_t> ikm, std::span<const std::uint8_t> salt,
                        std::span<const std::uint8_t> info, std::size_t length) {
  if (length > kHkdfMaxOutputBytes) throw std::invalid_argument("hkdf: output too long");
  constexpr std::size_t kHashBytes = crypto_auth_hmacsha256_BYTES;

  // Extract: PRK = HMAC(salt, IKM), salt defaulting to HashLen zero bytes.
  std::array<std::uint8_t, kHashBytes> zero_salt{};
  if (salt.empty()) salt = zero_salt;
  SecretBytes prk(kHashBytes);
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, salt.data(), salt.size());
  crypto_auth_hmacsha256_update(&state, ikm.data(), ikm.size());
  crypto_auth_hmacsha256_final(&state, prk.reveal().data());

  // Expand: T(i) = HMAC(PRK, T(i-1) || info || i).
  SecretBytes out(length);
  SecretBytes block(kHashBytes);
  std::size_t written = 0;
  for (std::uint8_t counter = 1; written < length; ++counter) {
    crypto_auth_hmacsha256_init(&state, prk.reveal().data(), kHashBytes);
    if (counter > 1) crypto_auth_hmacsha256_update(&state, block.reveal().data(), kHashBytes);
    crypto_auth_hmacsha256_update(&state, info.data(), info.size());
    crypto_auth_hmacsha256_update(&state, &counter, 1);
    crypto_auth_hmacsha256_final(&state, block.reveal().data());
    std::size_t n = std::min(kHashBytes, length - written);
    std::copy_n(block.reveal().begin(), n, out.reveal().begin() + static_cast<std::ptrdiff_t>(written));
    written += n;
  }
  sodium_memzero(&state, sizeof state);
  return out;
}

SecretBytes hkdf_sha256(std::span<const std::uint8_t> ikm, std::span<const std::uint8_t> salt,
                        std::string_view info, std::size_t length) {
  return hkdf_sha256(ikm, salt,
                     std::span<const std::uint8_t>(
                         reinterpret_cast<const std::uint8_t*>(info.data()), info.size()),
                     length);
}

}  // namespace safehouse::crypto
