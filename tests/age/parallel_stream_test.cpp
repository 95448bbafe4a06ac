// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/age/parallel_stream_test.cpp: the parallel payload sealer gives the
// same bytes as the single-threaded one (same header, nonce and plaintext,
// any write sizes and thread counts), decrypts, keeps errors sticky, calls
// the output sink from the caller's thread only, and needs finish().
#include "age/parallel_stream.h"

#include <gtest/gtest.h>

#include <thread>

#include "age/age.h"
#include "age/x25519.h"
#include "test_util.h"

namespace safehouse::age {
namespace {

struct Keys {
  X25519Identity id = X25519Identity::generate();
  X25519Recipient recipient = id.recipient();
};

constexpr std::size_t kWhole = std::size_t{1} << 30;

// Encrypts `data` under a fixed header and nonce, writing `piece` bytes at
// a time (the last piece of each round of `pieces` sizes cycling).
Bytes encrypt_fixed(const detail::SealedHeader& header, ByteSpan data, unsigned threads,
                    std::span<const std::size_t> pieces) {
  std::array<std::uint8_t, 16> nonce{};
  nonce[0] = 7;
  nonce[15] = 99;
  Bytes out;
  testing::CountingSink sink(out);
  auto w = detail::encrypt_with(header, nonce, sink, EncryptOptions{threads});
  EXPECT_TRUE(w);
  std::size_t turn = 0;
  for (std::size_t i = 0; i < data.size();) {
    std::size_t n = std::min(pieces[turn++ % pieces.size()], data.size() - i);
    EXPECT_TRUE((*w)->write(data.subspan(i, n)));
    i += n;
  }
  EXPECT_TRUE((*w)->finish());
  EXPECT_EQ(sink.finishes, 1);
  return out;
}

Result<Bytes> decrypt_with(const Identity& id, ByteSpan ciphertext) {
  Bytes out;
  testing::PieceSource source(ciphertext, 30000);
  VectorSink sink(out);
  const Identity* ids[] = {&id};
  SAFEHOUSE_TRY_VOID(decrypt(ids, source, sink));
  return out;
}

TEST(ParallelStream, SameBytesAsSingleThreaded) {
  Keys keys;
  const Recipient* rs[] = {&keys.recipient};
  auto header = detail::seal_header(rs);
  ASSERT_TRUE(header);
  const std::size_t whole[] = {kWhole};
  const std::size_t odd[] = {1, 7919, 65537, 3, 65535, 200001};
  const std::size_t chunk[] = {65536};
  for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{65535}, std::size_t{65536},
                           std::size_t{65537}, std::size_t{131072}, std::size_t{131073},
                           std::size_t{3 * 1048576 + 5}, std::size_t{4 * 1048576}}) {
    Bytes data = testing::pattern(size, 5);
    Bytes expected = encrypt_fixed(*header, data, 1, whole);
    ASSERT_EQ(expected.size(), header->bytes.size() + 16 + detail::encrypted_payload_size(size));
    for (unsigned threads : {2u, 3u, 8u}) {
      EXPECT_TRUE(encrypt_fixed(*header, data, threads, whole) == expected)
          << size << " " << threads;
      EXPECT_TRUE(encrypt_fixed(*header, data, threads, odd) == expected) << size << " " << threads;
      EXPECT_TRUE(encrypt_fixed(*header, data, threads, chunk) == expected) << size;
    }
    auto plain = decrypt_with(keys.id, encrypt_fixed(*header, data, 2, odd));
    ASSERT_TRUE(plain) << size << ": " << plain.error().message();
    EXPECT_TRUE(*plain == data) << size;
  }
}

TEST(ParallelStream, ByteAtATimeWritesGiveTheSameBytes) {
  Keys keys;
  const Recipient* rs[] = {&keys.recipient};
  auto header = detail::seal_header(rs);
  ASSERT_TRUE(header);
  const std::size_t one[] = {1};
  const std::size_t whole[] = {kWhole};
  Bytes data = testing::pattern(131073, 6);
  EXPECT_TRUE(encrypt_fixed(*header, data, 2, one) == encrypt_fixed(*header, data, 1, whole));
}

TEST(ParallelStream, PublicEncryptWithThreadsRoundTrips) {
  Keys keys;
  const Recipient* rs[] = {&keys.recipient};
  Bytes data = testing::pattern(1048576 + 17, 8);
  Bytes ct;
  VectorSink sink(ct);
  auto w = encrypt(rs, sink, EncryptOptions{2});
  ASSERT_TRUE(w);
  ASSERT_TRUE((*w)->write(data));
  ASSERT_TRUE((*w)->finish());
  auto plain = decrypt_with(keys.id, ct);
  ASSERT_TRUE(plain) << plain.error().message();
  EXPECT_TRUE(*plain == data);
}

// Accepts `limit` bytes, then fails; records the threads that called it.
class FailingSink final : public ByteSink {
 public:
  explicit FailingSink(std::size_t limit) : limit_(limit) {}
  Result<void> write(ByteSpan data) override {
    callers.push_back(std::this_thread::get_id());
    if (data.size() > limit_) return io_error("test sink: full");
    limit_ -= data.size();
    return {};
  }
  Result<void> finish() override {
    callers.push_back(std::this_thread::get_id());
    ++finishes;
    return {};
  }
  std::vector<std::thread::id> callers;
  int finishes = 0;

 private:
  std::size_t limit_;
};

crypto::SecretBytes test_key() {
  return crypto::SecretBytes::copy_of(testing::pattern(32, 9));
}

TEST(ParallelStream, OutputErrorsAreStickyAndSkipFinish) {
  FailingSink sink(3 * detail::kEncryptedChunkBytes + 10);
  detail::ParallelStreamWriter w(test_key(), sink, 2);
  Bytes data = testing::pattern(10 * detail::kChunkBytes, 2);
  Result<void> first{};
  // The failure may surface on a later write than the one whose chunk
  // failed (chunks are written out as they get sealed), or at finish().
  for (std::size_t i = 0; i < data.size() && first; i += 5000) {
    first = w.write(ByteSpan(data).subspan(i, std::min<std::size_t>(5000, data.size() - i)));
  }
  if (first) first = w.finish();
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().message(), "test sink: full");
  auto again = w.write(ByteSpan(data).first(10));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().message(), first.error().message());
  auto finished = w.finish();
  ASSERT_FALSE(finished);
  EXPECT_EQ(finished.error().message(), first.error().message());
  EXPECT_EQ(sink.finishes, 0);
}

// Each write() gets bytes on the heap that are scribbled over and freed as
// soon as it returns: chunks sealed straight from the caller's bytes must be
// done by then (ASan reports a late read; a late seal changes the output).
Result<void> write_in_fresh_buffers(ByteSink& w, ByteSpan data, std::size_t piece) {
  for (std::size_t i = 0; i < data.size(); i += piece) {
    ByteSpan part = data.subspan(i, std::min(piece, data.size() - i));
    auto fresh = std::make_unique<Bytes>(part.begin(), part.end());
    Result<void> r = w.write(*fresh);
    std::fill(fresh->begin(), fresh->end(), 0xff);
    fresh.reset();
    if (!r) return r;
  }
  return w.finish();
}

TEST(ParallelStream, CallersBytesAreNotUsedAfterWriteReturns) {
  Bytes data = testing::pattern(30 * detail::kChunkBytes + 11, 12);
  Bytes expected;
  {
    VectorSink sink(expected);
    detail::StreamWriter w(test_key(), sink);
    ASSERT_TRUE(w.write(data));
    ASSERT_TRUE(w.finish());
  }
  for (std::size_t piece : {std::size_t{65537}, std::size_t{200000}, std::size_t{1048576}}) {
    Bytes out;
    VectorSink sink(out);
    detail::ParallelStreamWriter w(test_key(), sink, 2);
    ASSERT_TRUE(write_in_fresh_buffers(w, data, piece));
    EXPECT_TRUE(out == expected) << piece;
  }
}

// Timing-dependent: it catches a late read only when a worker is still
// sealing when the buffer is freed, so it can miss; it cannot false-alarm.
TEST(ParallelStream, CallersBytesAreNotUsedAfterAFailedWrite) {
  Bytes data = testing::pattern(30 * detail::kChunkBytes, 13);
  for (std::size_t limit : {std::size_t{0}, 2 * detail::kEncryptedChunkBytes + 1}) {
    FailingSink sink(limit);
    detail::ParallelStreamWriter w(test_key(), sink, detail::kMaxSealThreads);
    auto r = write_in_fresh_buffers(w, data, data.size());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message(), "test sink: full");
    EXPECT_EQ(sink.finishes, 0);
  }
}

TEST(ParallelStream, CallsTheSinkFromTheCallersThreadOnly) {
  FailingSink sink(kWhole);
  detail::ParallelStreamWriter w(test_key(), sink, 4);
  Bytes data = testing::pattern(40 * detail::kChunkBytes + 3, 2);
  for (std::size_t i = 0; i < data.size(); i += 12345) {
    ASSERT_TRUE(w.write(ByteSpan(data).subspan(i, std::min<std::size_t>(12345, data.size() - i))));
  }
  ASSERT_TRUE(w.finish());
  EXPECT_EQ(sink.finishes, 1);
  ASSERT_EQ(sink.callers.size(), 41u + 1u);  // 41 chunks, then finish()
  for (auto id : sink.callers) EXPECT_EQ(id, std::this_thread::get_id());
}

TEST(ParallelStream, WriteAfterFinishAndFinishTwiceFail) {
  Bytes out;
  testing::CountingSink sink(out);
  detail::ParallelStreamWriter w(test_key(), sink, 2);
  ASSERT_TRUE(w.write(testing::pattern(100)));
  ASSERT_TRUE(w.finish());
  EXPECT_FALSE(w.write(testing::pattern(1)));
  EXPECT_FALSE(w.finish());
  EXPECT_EQ(sink.finishes, 1);
  EXPECT_EQ(out.size(), 100 + detail::kAeadTagBytes);
}

TEST(ParallelStream, DestroyedWithoutFinishWritesNoFinalChunk) {
  Bytes out;
  testing::CountingSink sink(out);
  {
    detail::ParallelStreamWriter w(test_key(), sink, 2);
    Bytes data = testing::pattern(20 * detail::kChunkBytes, 4);
    ASSERT_TRUE(w.write(data));
  }
  // Whatever was written is whole non-final chunks; the held-back last one
  // never appears, so a reader reports truncation rather than a short file.
  EXPECT_EQ(sink.finishes, 0);
  EXPECT_EQ(out.size() % detail::kEncryptedChunkBytes, 0u);
  EXPECT_LT(out.size(), 20 * detail::kEncryptedChunkBytes);
  Bytes plain;
  VectorSink plain_sink(plain);
  SpanSource source(out);
  EXPECT_FALSE(detail::decrypt_stream(test_key(), {}, source, plain_sink));
}

TEST(ParallelStream, ThreadCountsOutsideTheRangeAreClamped) {
  Bytes data = testing::pattern(5 * detail::kChunkBytes + 1, 3);
  Bytes expected;
  {
    VectorSink sink(expected);
    detail::StreamWriter w(test_key(), sink);
    ASSERT_TRUE(w.write(data));
    ASSERT_TRUE(w.finish());
  }
  for (unsigned threads : {0u, 1u, 1000u}) {
    Bytes out;
    VectorSink sink(out);
    detail::ParallelStreamWriter w(test_key(), sink, threads);
    ASSERT_TRUE(w.write(data));
    ASSERT_TRUE(w.finish());
    EXPECT_TRUE(out == expected) << threads;
  }
}

}  // namespace
}  // namespace safehouse::age
