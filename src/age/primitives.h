// SPDX-License-Identifier: AGPL-3.0-or-later
// age/primitives.h: the age engine's only door to libsodium: X25519,
// ChaCha20-Poly1305 for the header's wrapped file keys, HMAC-SHA-256,
// scrypt, SHA-256, base64 and randomness. Knows no formats: callers pass
// bytes and keys. The payload's ChaCha20-Poly1305 is libcrypto's
// (chunk_cipher.h says why).
#ifndef SAFEHOUSE_AGE_PRIMITIVES_H_
#define SAFEHOUSE_AGE_PRIMITIVES_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/byte_stream.h"
#include "base/error.h"
#include "crypto/secret_bytes.h"

namespace safehouse::age::detail {

inline constexpr std::size_t kX25519Bytes = 32;
inline constexpr std::size_t kAeadKeyBytes = 32;
inline constexpr std::size_t kAeadNonceBytes = 12;
inline constexpr std::size_t kAeadTagBytes = 16;
inline constexpr std::size_t kMacBytes = 32;

using X25519Point = std::array<std::uint8_t, kX25519Bytes>;
using AeadNonce = std::array<std::uint8_t, kAeadNonceBytes>;
using Mac = std::array<std::uint8_t, kMacBytes>;

void random_bytes(MutableByteSpan out);

// The public key of a 32-byte scalar.
X25519Point x25519_base(const crypto::SecretBytes& scalar);
// The shared secret; fails on an all-zero result (a low-order point).
Result<crypto::SecretBytes> x25519(const crypto::SecretBytes& scalar, ByteSpan point);

// ChaCha20-Poly1305 (IETF) with no associated data, for wrapping file keys
// in stanzas (the payload uses ChunkCipher); returns ciphertext||tag.
Bytes aead_seal(const crypto::SecretBytes& key, const AeadNonce& nonce, ByteSpan plaintext);
// Opens ciphertext||tag into secret memory. Fails unless ciphertext.size()
// is exactly plaintext_size + tag: age rejects any other length up front.
Result<crypto::SecretBytes> aead_open_secret(const crypto::SecretBytes& key, const AeadNonce& nonce,
                                             ByteSpan ciphertext, std::size_t plaintext_size);

Mac hmac_sha256(const crypto::SecretBytes& key, ByteSpan message);
bool equal_constant_time(ByteSpan a, ByteSpan b);

// scrypt with r = 8, p = 1 and N = 2^log_n, 32-byte output.
Result<crypto::SecretBytes> scrypt(const crypto::SecretBytes& passphrase, ByteSpan salt, int log_n);

std::array<std::uint8_t, 32> sha256(ByteSpan message);

// Standard base64 without padding (age header), canonical only.
std::string base64_encode_raw(ByteSpan data);
std::optional<Bytes> base64_decode_raw(std::string_view text);
// Standard base64 with padding (armor), canonical only.
std::string base64_encode_padded(ByteSpan data);
// Decodes into `out` (cleared first); false when not canonical.
bool base64_decode_padded(std::string_view text, Bytes& out);

}  // namespace safehouse::age::detail

#endif  // SAFEHOUSE_AGE_PRIMITIVES_H_
