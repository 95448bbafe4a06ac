// SPDX-License-Identifier: AGPL-3.0-or-later
// age/seekable.cpp: random access to the ciphertext of a STREAM payload.
// Chunk i of the ciphertext depends only on the payload key, i, whether it
// is the last chunk, and plaintext bytes [i * 64 KiB, (i + 1) * 64 KiB), so
// any range can be recomputed from the plaintext alone.
#include "age/seekable.h"

#include <algorithm>

#include "age/age.h"
#include "age/chunk_cipher.h"
#include "age/primitives.h"
#include "age/stream.h"

namespace safehouse::age {

using detail::kAeadTagBytes;
using detail::kChunkBytes;
using detail::kEncryptedChunkBytes;

Result<SeekableEncryptor> SeekableEncryptor::create(std::span<const Recipient* const> recipients,
                                                    std::uint64_t plaintext_size) {
  auto header = SAFEHOUSE_TRY(detail::seal_header(recipients));
  std::array<std::uint8_t, detail::kPayloadNonceBytes> nonce{};
  detail::random_bytes(nonce);
  return create_with(header, nonce, plaintext_size);
}

SeekableEncryptor SeekableEncryptor::create_with(const detail::SealedHeader& header,
                                                 std::span<const std::uint8_t, 16> nonce,
                                                 std::uint64_t plaintext_size) {
  return SeekableEncryptor(header.bytes, detail::payload_key(header.file_key, nonce), nonce,
                           plaintext_size);
}

SeekableEncryptor::SeekableEncryptor(Bytes header_bytes, crypto::SecretBytes payload_key,
                                     std::span<const std::uint8_t, 16> nonce,
                                     std::uint64_t plaintext_size)
    : header_(std::move(header_bytes)),
      payload_key_(std::move(payload_key)),
      plaintext_size_(plaintext_size) {
  header_.insert(header_.end(), nonce.begin(), nonce.end());
}

SeekableEncryptor::SeekableEncryptor(SeekableEncryptor&&) noexcept = default;
SeekableEncryptor& SeekableEncryptor::operator=(SeekableEncryptor&&) noexcept = default;
SeekableEncryptor::~SeekableEncryptor() = default;

std::uint64_t SeekableEncryptor::ciphertext_size() const {
  return header_.size() + detail::encrypted_payload_size(plaintext_size_);
}

Result<void> SeekableEncryptor::produce(std::uint64_t offset, std::uint64_t length,
                                        const PlaintextReader& read_plaintext,
                                        ByteSink& out) const {
  const std::uint64_t total = ciphertext_size();
  if (offset > total || length > total - offset) {
    return invalid_argument("seekable: range is past the end of the ciphertext");
  }
  const std::uint64_t end = offset + length;
  const std::uint64_t hsize = header_.size();
  if (offset < hsize) {
    std::uint64_t to = std::min(end, hsize);
    SAFEHOUSE_TRY_VOID(out.write(ByteSpan(header_).subspan(offset, to - offset)));
  }
  if (end <= hsize) return {};
  const std::uint64_t from = std::max(offset, hsize) - hsize;  // payload coordinates
  const std::uint64_t to = end - hsize;
  // One libcrypto context per call, not per chunk; per call, not per object,
  // since produce() may run on several threads at once.
  detail::ChunkCipher cipher(payload_key_);
  crypto::WipedBytes buffer(kEncryptedChunkBytes);  // plaintext until sealed
  for (std::uint64_t i = from / kEncryptedChunkBytes; i * kEncryptedChunkBytes < to; ++i) {
    const std::uint64_t chunk_start = i * kEncryptedChunkBytes;
    SAFEHOUSE_TRY_VOID(produce_chunk(i, std::max(from, chunk_start) - chunk_start, to - chunk_start,
                                     read_plaintext, cipher, buffer, out));
  }
  return {};
}

// Seals chunk `index` and writes its bytes [from, min(to, chunk size)).
Result<void> SeekableEncryptor::produce_chunk(std::uint64_t index, std::uint64_t from,
                                              std::uint64_t to,
                                              const PlaintextReader& read_plaintext,
                                              detail::ChunkCipher& cipher,
                                              crypto::WipedBytes& buffer, ByteSink& out) const {
  const std::uint64_t plain_offset = index * kChunkBytes;
  const std::size_t plain_len = static_cast<std::size_t>(
      std::min<std::uint64_t>(kChunkBytes, plaintext_size_ - plain_offset));
  const bool last = plain_offset + plain_len == plaintext_size_;
  std::size_t got = 0;
  while (got < plain_len) {
    std::size_t n = SAFEHOUSE_TRY(
        read_plaintext(plain_offset + got, MutableByteSpan(buffer).subspan(got, plain_len - got)));
    if (n == 0) return Error(ErrorCode::kIo, "seekable: plaintext is shorter than promised");
    got += std::min(n, plain_len - got);
  }
  cipher.seal(detail::chunk_nonce(index, last), buffer.data(), plain_len, buffer.data());
  const std::uint64_t chunk_len = plain_len + kAeadTagBytes;
  to = std::min(to, chunk_len);
  return out.write(ByteSpan(buffer).subspan(from, to - from));
}

}  // namespace safehouse::age
