// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/age/stream_test.cpp: STREAM chunking: sizes around chunk
// boundaries, nonces, truncation, reordering and the empty-chunk rules.
#include "age/stream.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace safehouse::age::detail {
namespace {

crypto::SecretBytes test_key() {
  return crypto::SecretBytes::copy_of(testing::pattern(32, 9));
}

Bytes seal(ByteSpan plaintext, std::size_t piece = 1 << 30) {
  Bytes out;
  testing::CountingSink sink(out);
  StreamWriter w(test_key(), sink);
  for (std::size_t i = 0; i < plaintext.size(); i += piece) {
    EXPECT_TRUE(w.write(plaintext.subspan(i, std::min(piece, plaintext.size() - i))));
  }
  EXPECT_TRUE(w.finish());
  EXPECT_EQ(sink.finishes, 1);
  return out;
}

Result<Bytes> open(ByteSpan ciphertext, std::size_t prefix_len = 0) {
  Bytes out;
  VectorSink sink(out);
  testing::PieceSource source(ciphertext.subspan(prefix_len), 10000);
  SAFEHOUSE_TRY_VOID(decrypt_stream(test_key(), ciphertext.first(prefix_len), source, sink));
  return out;
}

TEST(Stream, ChunkNonceLayout) {
  AeadNonce n = chunk_nonce(0x0102, true);
  EXPECT_EQ(testing::to_hex(n), "000000000000000000010201");
  EXPECT_EQ(testing::to_hex(chunk_nonce(0, false)), "000000000000000000000000");
}

TEST(Stream, RoundTripsAroundChunkBoundaries) {
  for (std::size_t size : {0, 1, 65535, 65536, 65537, 131072, 131073}) {
    Bytes data = testing::pattern(size);
    Bytes ct = seal(data);
    EXPECT_EQ(ct.size(), encrypted_payload_size(size)) << size;
    for (std::size_t prefix : {std::size_t{0}, std::min<std::size_t>(ct.size(), 20)}) {
      auto r = open(ct, prefix);
      ASSERT_TRUE(r) << size << ": " << r.error().message();
      EXPECT_EQ(*r, data);
    }
  }
}

TEST(Stream, WriteSizesDoNotChangeOutput) {
  Bytes data = testing::pattern(200000);
  Bytes whole = seal(data);
  EXPECT_EQ(seal(data, 1000), whole);
  EXPECT_EQ(seal(data, 65536), whole);
}

TEST(Stream, DetectsTruncationAtEveryChunkBoundary) {
  Bytes ct = seal(testing::pattern(3 * 65536 + 10));
  for (std::size_t cut : {std::size_t{0}, kEncryptedChunkBytes, 2 * kEncryptedChunkBytes,
                          3 * kEncryptedChunkBytes, ct.size() - 1}) {
    auto r = open(ByteSpan(ct).first(cut));
    ASSERT_FALSE(r) << cut;
    EXPECT_TRUE(r.error().message().starts_with("payload: ")) << r.error().message();
  }
}

TEST(Stream, DetectsTamperingReorderingAndTrailingData) {
  Bytes ct = seal(testing::pattern(2 * 65536 + 5));
  Bytes flipped = ct;
  flipped[70000] ^= 1;
  auto r = open(flipped);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kIntegrity);

  Bytes swapped = ct;
  std::swap_ranges(swapped.begin(), swapped.begin() + kEncryptedChunkBytes,
                   swapped.begin() + kEncryptedChunkBytes);
  EXPECT_FALSE(open(swapped));

  Bytes trailing = ct;
  trailing.push_back(0);
  EXPECT_FALSE(open(trailing));
}

TEST(Stream, EmptyFinalChunkOnlyForEmptyPayload) {
  // Hand-build: one full non-final chunk followed by an empty final chunk.
  Bytes data = testing::pattern(65536);
  Bytes ct(kEncryptedChunkBytes + kAeadTagBytes);
  std::copy(data.begin(), data.end(), ct.begin());
  ChunkCipher cipher(test_key());
  cipher.seal(chunk_nonce(0, false), ct.data(), 65536, ct.data());
  cipher.seal(chunk_nonce(1, true), ct.data() + kEncryptedChunkBytes, 0,
              ct.data() + kEncryptedChunkBytes);
  auto r = open(ct);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("empty"), std::string::npos);
  // The empty payload is one empty final chunk.
  EXPECT_EQ(seal(Bytes{}).size(), kAeadTagBytes);
}

TEST(Stream, ErrorsAreSticky) {
  struct FailingSink final : ByteSink {
    Result<void> write(ByteSpan) override { return io_error("disk full"); }
    Result<void> finish() override { return {}; }
  } sink;
  StreamWriter w(test_key(), sink);
  Bytes data = testing::pattern(65537);
  auto r = w.write(data);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kIo);
  EXPECT_FALSE(w.write(data));
  EXPECT_FALSE(w.finish());
}

}  // namespace
}  // namespace safehouse::age::detail
