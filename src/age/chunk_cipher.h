// SPDX-License-Identifier: AGPL-3.0-or-later
// age/chunk_cipher.h: ChaCha20-Poly1305 (IETF, no associated data) for the
// payload's 64 KiB STREAM chunks, from OpenSSL's libcrypto, keyed once and
// reused for every chunk. Knows keys, nonces and bytes; nothing of STREAM.
//
// Why libcrypto and not libsodium, which the rest of age/ uses: this one
// primitive is the cost of encrypting and decrypting a file. Debian 12's
// libsodium 1.0.18 makes two passes (ChaCha20 in AVX2, Poly1305 in SSE2),
// about 1.5-1.8 GB/s per core on our machines, which left `safehouse
// encrypt` behind the Go `age` CLI on one core. libcrypto (OpenSSL 3.0,
// already linked for SHA-256, see crypto/sha256.h) has AVX-512 ChaCha20
// and Poly1305: about 4.3 GB/s per core here (`openssl speed -evp
// chacha20-poly1305 -bytes 65536`). The file key wrapping in the header
// (one 16-byte key per recipient) stays on libsodium (primitives.h), as do
// X25519, scrypt, HKDF and HMAC. Both implementations are checked against
// each other byte for byte in tests/age/chunk_cipher_test.cpp (every
// length, every writer, tampering) and tests/age/vectors_test.cpp (the
// CCTV vectors that reach their payload).
#ifndef SAFEHOUSE_AGE_CHUNK_CIPHER_H_
#define SAFEHOUSE_AGE_CHUNK_CIPHER_H_

#include <cstddef>
#include <cstdint>

#include "age/primitives.h"
#include "crypto/secret_bytes.h"

struct evp_cipher_ctx_st;  // EVP_CIPHER_CTX, kept out of this header

namespace safehouse::age::detail {

// One libcrypto cipher context holding the key. Not thread-safe: one object
// per thread (a context is a few hundred bytes; making one is a malloc and
// a key copy, so objects live as long as a stream, not a chunk). Movable;
// a moved-from object may only be destroyed or assigned to.
//
// The key is copied into libcrypto's heap context: unlike SecretBytes it is
// not locked against swapping (as libsodium's key state on the stack was
// not either), and libcrypto wipes it when the object is destroyed
// (OPENSSL_clear_free of the provider context).
class ChunkCipher {
 public:
  explicit ChunkCipher(const crypto::SecretBytes& key);
  ~ChunkCipher();
  ChunkCipher(ChunkCipher&& other) noexcept;
  ChunkCipher& operator=(ChunkCipher&& other) noexcept;
  ChunkCipher(const ChunkCipher&) = delete;
  ChunkCipher& operator=(const ChunkCipher&) = delete;

  // Seals `len` bytes at `in` into out[0, len) and the tag into
  // out[len, len + tag). `in` may equal `out` (in place), but must not
  // otherwise overlap it.
  void seal(const AeadNonce& nonce, const std::uint8_t* in, std::size_t len, std::uint8_t* out);

  // `in` holds `len` bytes of ciphertext||tag; on success the plaintext is
  // in out[0, len - tag). Returns false when the tag does not verify (then
  // out[0, len - tag) is wiped, since libcrypto decrypts before it checks,
  // and `in` is intact, so the caller can retry with another nonce).
  // Requires: `out` does not overlap `in`.
  bool open(const AeadNonce& nonce, const std::uint8_t* in, std::size_t len, std::uint8_t* out);

 private:
  evp_cipher_ctx_st* ctx_;
};

}  // namespace safehouse::age::detail

#endif  // SAFEHOUSE_AGE_CHUNK_CIPHER_H_
