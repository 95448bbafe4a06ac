// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/age/sodium_reference.h: a second STREAM payload implementation on
// libsodium's ChaCha20-Poly1305 (the library's payload cipher before it
// moved to libcrypto), written straight from the spec (C2SP age, "Payload")
// and working on whole buffers: the reference the library's libcrypto
// payload is compared with byte for byte. Shares no code with src/age
// except the constants.
#ifndef SAFEHOUSE_TESTS_AGE_SODIUM_REFERENCE_H_
#define SAFEHOUSE_TESTS_AGE_SODIUM_REFERENCE_H_

#include <sodium.h>

#include <algorithm>
#include <cstdint>
#include <optional>

#include "age/primitives.h"
#include "age/stream.h"
#include "base/byte_stream.h"
#include "crypto/secret_bytes.h"

namespace safehouse::age::testing {

// The spec's nonce: an 11-byte big-endian chunk counter, then 1 for the
// final chunk and 0 otherwise.
inline detail::AeadNonce sodium_chunk_nonce(std::uint64_t index, bool last) {
  detail::AeadNonce nonce{};
  for (std::size_t i = 0; i < 8; ++i) {
    nonce[10 - i] = static_cast<std::uint8_t>((index >> (8 * i)) & 0xff);
  }
  nonce[11] = last ? 1 : 0;
  return nonce;
}

// ciphertext||tag of `len` bytes at `in`, into `out` (len + 16 bytes).
inline void sodium_seal_chunk(const crypto::SecretBytes& key, const detail::AeadNonce& nonce,
                              const std::uint8_t* in, std::size_t len, std::uint8_t* out) {
  crypto_aead_chacha20poly1305_ietf_encrypt_detached(out, out + len, nullptr, in, len, nullptr, 0,
                                                     nullptr, nonce.data(), key.reveal().data());
}

inline bool sodium_open_chunk(const crypto::SecretBytes& key, const detail::AeadNonce& nonce,
                              const std::uint8_t* in, std::size_t len, std::uint8_t* out) {
  if (len < crypto_aead_chacha20poly1305_ietf_ABYTES) return false;
  const std::size_t body = len - crypto_aead_chacha20poly1305_ietf_ABYTES;
  return crypto_aead_chacha20poly1305_ietf_decrypt_detached(
             out, nullptr, in, body, in + body, nullptr, 0, nonce.data(), key.reveal().data()) == 0;
}

// The payload (without its 16-byte nonce) of `plaintext`: full 64 KiB chunks,
// the last one flagged; an empty plaintext is one empty final chunk.
inline Bytes sodium_seal_payload(const crypto::SecretBytes& key, ByteSpan plaintext) {
  const std::size_t chunk = detail::kChunkBytes;
  const std::size_t chunks = plaintext.empty() ? 1 : (plaintext.size() + chunk - 1) / chunk;
  Bytes out(plaintext.size() + chunks * crypto_aead_chacha20poly1305_ietf_ABYTES);
  for (std::size_t i = 0; i < chunks; ++i) {
    const std::size_t len = std::min(chunk, plaintext.size() - i * chunk);
    sodium_seal_chunk(key, sodium_chunk_nonce(i, i + 1 == chunks), plaintext.data() + i * chunk,
                      len, out.data() + i * (chunk + crypto_aead_chacha20poly1305_ietf_ABYTES));
  }
  return out;
}

// The plaintext of a payload, or nothing if the spec says to reject it.
// Chunk boundaries follow from the length alone: every chunk but the last
// is full, the last must authenticate as final and may be empty only when
// it is the first.
inline std::optional<Bytes> sodium_open_payload(const crypto::SecretBytes& key, ByteSpan payload) {
  const std::size_t sealed = detail::kChunkBytes + crypto_aead_chacha20poly1305_ietf_ABYTES;
  if (payload.empty()) return std::nullopt;
  const std::size_t chunks = (payload.size() + sealed - 1) / sealed;
  Bytes out;
  Bytes plain(detail::kChunkBytes);
  for (std::size_t i = 0; i < chunks; ++i) {
    const std::size_t len = std::min(sealed, payload.size() - i * sealed);
    const bool last = i + 1 == chunks;
    if (last && i > 0 && len == crypto_aead_chacha20poly1305_ietf_ABYTES) return std::nullopt;
    if (!sodium_open_chunk(key, sodium_chunk_nonce(i, last), payload.data() + i * sealed, len,
                           plain.data())) {
      return std::nullopt;
    }
    out.insert(out.end(), plain.begin(),
               plain.begin() +
                   static_cast<std::ptrdiff_t>(len - crypto_aead_chacha20poly1305_ietf_ABYTES));
  }
  return out;
}

}  // namespace safehouse::age::testing

#endif  // SAFEHOUSE_TESTS_AGE_SODIUM_REFERENCE_H_
