// SPDX-License-Identifier: AGPL-3.0-or-later
// age/stream.cpp: the STREAM payload (spec "Payload"). The writer holds one
// chunk back until it knows whether more data follows, because the final
// chunk is flagged in its nonce; the reader insists on seeing that flag.
#include "age/stream.h"

#include <algorithm>
#include <cstring>

#include "crypto/hkdf.h"

namespace safehouse::age::detail {
namespace {

Error payload_error(std::string what) {
  return malformed("payload: " + what);
}
Error payload_integrity() {
  return Error(ErrorCode::kIntegrity,
               "payload: chunk failed authentication (file corrupted or tampered with)");
}

}  // namespace

Result<std::size_t> read_full(ByteSpan& prefix, ByteSource& in, MutableByteSpan out) {
  std::size_t n = std::min(prefix.size(), out.size());
  if (n > 0) std::memcpy(out.data(), prefix.data(), n);
  prefix = prefix.subspan(n);
  while (n < out.size()) {
    std::size_t got = SAFEHOUSE_TRY(in.read(out.subspan(n)));
    if (got == 0) break;
    n += got;
  }
  return n;
}

crypto::SecretBytes payload_key(const crypto::SecretBytes& file_key,
                                std::span<const std::uint8_t, kPayloadNonceBytes> nonce) {
  return crypto::hkdf_sha256(file_key.reveal(), nonce, "payload", kAeadKeyBytes);
}

AeadNonce chunk_nonce(std::uint64_t index, bool last) {
  AeadNonce nonce{};
  // Bytes 3..10 carry the counter; at 2^64 chunks of 64 KiB (a zettabyte)
  // the upper three counter bytes can stay zero.
  for (int i = 0; i < 8; ++i) nonce[10 - i] = static_cast<std::uint8_t>(index >> (8 * i));
  nonce[11] = last ? 1 : 0;
  return nonce;
}

std::uint64_t encrypted_payload_size(std::uint64_t plaintext_size) {
  std::uint64_t chunks = plaintext_size == 0 ? 1 : (plaintext_size + kChunkBytes - 1) / kChunkBytes;
  return plaintext_size + chunks * kAeadTagBytes;
}

StreamWriter::StreamWriter(crypto::SecretBytes key, ByteSink& out)
    : cipher_(key), out_(out), buf_(kEncryptedChunkBytes) {}

Result<void> StreamWriter::write(ByteSpan data) {
  if (!sticky_) return sticky_;
  if (finished_) return Error(ErrorCode::kInternal, "payload: write after finish");
  while (!data.empty()) {
    // A full buffer is sealed only once more data arrives: until then it
    // might be the final chunk.
    if (used_ == kChunkBytes) {
      sticky_ = flush_chunk(false);
      if (!sticky_) return sticky_;
    }
    // Fast path: a whole chunk that is surely not the last one is sealed
    // straight from the caller's bytes, saving a copy.
    if (used_ == 0 && data.size() > kChunkBytes) {
      cipher_.seal(chunk_nonce(index_++, false), data.data(), kChunkBytes, buf_.data());
      sticky_ = out_.write(ByteSpan(buf_));
      if (!sticky_) return sticky_;
      data = data.subspan(kChunkBytes);
      continue;
    }
    std::size_t n = std::min(data.size(), kChunkBytes - used_);
    std::memcpy(buf_.data() + used_, data.data(), n);
    used_ += n;
    data = data.subspan(n);
  }
  return {};
}

Result<void> StreamWriter::finish() {
  if (!sticky_) return sticky_;
  if (finished_) return Error(ErrorCode::kInternal, "payload: finish called twice");
  finished_ = true;
  sticky_ = flush_chunk(true);
  if (!sticky_) return sticky_;
  sticky_ = out_.finish();
  return sticky_;
}

Result<void> StreamWriter::flush_chunk(bool last) {
  cipher_.seal(chunk_nonce(index_, last), buf_.data(), used_, buf_.data());
  ++index_;
  auto result = out_.write(ByteSpan(buf_).first(used_ + kAeadTagBytes));
  used_ = 0;
  return result;
}

Result<void> decrypt_stream(const crypto::SecretBytes& key, ByteSpan prefix, ByteSource& in,
                            ByteSink& out) {
  // Two buffers so that a failed open leaves the ciphertext intact for the
  // second try as a full-size final chunk (a failed open wipes the output).
  ChunkCipher aead(key);
  Bytes cipher(kEncryptedChunkBytes);
  crypto::WipedBytes plain(kChunkBytes);
  for (std::uint64_t index = 0;; ++index) {
    std::size_t n = SAFEHOUSE_TRY(read_full(prefix, in, cipher));
    if (n == 0) return payload_error("file is truncated (no final chunk)");
    bool last = n < kEncryptedChunkBytes;
    if (last && index > 0 && n == kAeadTagBytes) {
      return payload_error("final chunk is empty");
    }
    bool ok = aead.open(chunk_nonce(index, last), cipher.data(), n, plain.data());
    if (!ok && !last) {
      last = true;
      ok = aead.open(chunk_nonce(index, true), cipher.data(), n, plain.data());
    }
    if (!ok) return payload_integrity();
    std::size_t plain_len = n - kAeadTagBytes;
    SAFEHOUSE_TRY_VOID(out.write(ByteSpan(plain).first(plain_len)));
    if (last) {
      std::uint8_t extra = 0;
      if (SAFEHOUSE_TRY(read_full(prefix, in, MutableByteSpan(&extra, 1))) != 0) {
        return payload_error("trailing data after the final chunk");
      }
      return {};
    }
  }
}

}  // namespace safehouse::age::detail
