// SPDX-License-Identifier: AGPL-3.0-or-later
// age/seekable.h: produces any byte range of the age encryption of a
// plaintext it can read again, for resumable uploads and downloads. The
// header, file key and payload nonce are fixed at create(), so every range
// is reproducible and equals the same slice of the whole file.
#ifndef SAFEHOUSE_AGE_SEEKABLE_H_
#define SAFEHOUSE_AGE_SEEKABLE_H_

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "age/recipient.h"
#include "base/byte_stream.h"
#include "crypto/wiping_allocator.h"

namespace safehouse::age {

namespace detail {
struct SealedHeader;
class ChunkCipher;
}  // namespace detail

// Not thread-safe for create(); produce() is const and may run concurrently.
class SeekableEncryptor {
 public:
  // Reads plaintext at `offset` into `out`, returning how many bytes it wrote;
  // it must fill `out` unless the plaintext ends first.
  using PlaintextReader =
      std::function<Result<std::size_t>(std::uint64_t offset, MutableByteSpan out)>;

  static Result<SeekableEncryptor> create(std::span<const Recipient* const> recipients,
                                          std::uint64_t plaintext_size);
  // With a given header and payload nonce (tests compare with encrypt()).
  static SeekableEncryptor create_with(const detail::SealedHeader& header,
                                       std::span<const std::uint8_t, 16> nonce,
                                       std::uint64_t plaintext_size);

  SeekableEncryptor(SeekableEncryptor&&) noexcept;
  SeekableEncryptor& operator=(SeekableEncryptor&&) noexcept;
  ~SeekableEncryptor();

  std::uint64_t ciphertext_size() const;
  std::uint64_t plaintext_size() const { return plaintext_size_; }

  // Writes ciphertext bytes [offset, offset + length) to `out` (write() only;
  // finish() is left to the caller). Fails if the range passes the end or if
  // the reader returns fewer bytes than the plaintext size promised.
  Result<void> produce(std::uint64_t offset, std::uint64_t length,
                       const PlaintextReader& read_plaintext, ByteSink& out) const;

 private:
  SeekableEncryptor(Bytes header_bytes, crypto::SecretBytes payload_key,
                    std::span<const std::uint8_t, 16> nonce, std::uint64_t plaintext_size);
  Result<void> produce_chunk(std::uint64_t chunk_index, std::uint64_t from, std::uint64_t to,
                             const PlaintextReader& read_plaintext, detail::ChunkCipher& cipher,
                             crypto::WipedBytes& buffer, ByteSink& out) const;

  Bytes header_;  // header text plus the 16-byte payload nonce
  crypto::SecretBytes payload_key_;
  std::uint64_t plaintext_size_ = 0;
};

}  // namespace safehouse::age

#endif  // SAFEHOUSE_AGE_SEEKABLE_H_
