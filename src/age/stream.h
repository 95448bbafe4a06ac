// SPDX-License-Identifier: AGPL-3.0-or-later
// age/stream.h: STREAM encryption of an age payload in 64 KiB chunks, each
// sealed with ChaCha20-Poly1305 under a counter nonce whose last byte flags
// the final chunk. Knows a payload key and byte streams; nothing of headers.
#ifndef SAFEHOUSE_AGE_STREAM_H_
#define SAFEHOUSE_AGE_STREAM_H_

#include <cstdint>
#include <memory>
#include <span>

#include "age/chunk_cipher.h"
#include "age/primitives.h"
#include "base/byte_stream.h"
#include "crypto/secret_bytes.h"
#include "crypto/wiping_allocator.h"

namespace safehouse::age::detail {

inline constexpr std::size_t kChunkBytes = 64 * 1024;
inline constexpr std::size_t kEncryptedChunkBytes = kChunkBytes + kAeadTagBytes;
inline constexpr std::size_t kPayloadNonceBytes = 16;

// HKDF-SHA-256(ikm = file key, salt = nonce, info = "payload").
crypto::SecretBytes payload_key(const crypto::SecretBytes& file_key,
                                std::span<const std::uint8_t, kPayloadNonceBytes> nonce);

// The 12-byte nonce of chunk `index`: 11-byte big-endian counter, final flag.
AeadNonce chunk_nonce(std::uint64_t index, bool last);

// Size of the encrypted payload (without the 16-byte nonce) of a plaintext.
std::uint64_t encrypted_payload_size(std::uint64_t plaintext_size);

// Encrypts what is written to it into `out`. finish() seals the last chunk
// and calls out.finish(). Errors are sticky. The key is only kept inside
// its ChunkCipher (one libcrypto context for the whole stream).
class StreamWriter final : public ByteSink {
 public:
  StreamWriter(crypto::SecretBytes key, ByteSink& out);
  Result<void> write(ByteSpan data) override;
  Result<void> finish() override;

 private:
  Result<void> flush_chunk(bool last);

  ChunkCipher cipher_;
  ByteSink& out_;
  crypto::WipedBytes buf_;  // plaintext until sealed in place
  std::size_t used_ = 0;
  std::uint64_t index_ = 0;
  bool finished_ = false;
  Result<void> sticky_{};
};

// Reads from `prefix` (consuming it) then `in` until `out` is full or the
// source ends; returns the number of bytes read.
Result<std::size_t> read_full(ByteSpan& prefix, ByteSource& in, MutableByteSpan out);

// Decrypts the payload read from `prefix` then `in`, writing plaintext to
// `out` (without finishing it). Errors start with "payload: ".
Result<void> decrypt_stream(const crypto::SecretBytes& key, ByteSpan prefix, ByteSource& in,
                            ByteSink& out);

}  // namespace safehouse::age::detail

#endif  // SAFEHOUSE_AGE_STREAM_H_
