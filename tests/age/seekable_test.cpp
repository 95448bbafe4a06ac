// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/age/seekable_test.cpp: every range the seekable encryptor produces
// equals the same slice of the streaming encryption under the same header
// and nonce, and the whole output decrypts.
#include "age/seekable.h"

#include <gtest/gtest.h>

#include "age/age.h"
#include "age/x25519.h"
#include "test_util.h"

namespace safehouse::age {
namespace {

struct Fixture {
  X25519Identity id = X25519Identity::generate();
  X25519Recipient recipient = id.recipient();
};

SeekableEncryptor::PlaintextReader reader_for(const Bytes& data, std::size_t max_piece = 1 << 30) {
  return [&data, max_piece](std::uint64_t offset, MutableByteSpan out) -> Result<std::size_t> {
    if (offset > data.size()) return invalid_argument("offset past end");
    std::size_t n =
        std::min({out.size(), data.size() - static_cast<std::size_t>(offset), max_piece});
    std::copy_n(data.begin() + static_cast<std::ptrdiff_t>(offset), n, out.begin());
    return n;
  };
}

Bytes produce(const SeekableEncryptor& enc, std::uint64_t offset, std::uint64_t length,
              const SeekableEncryptor::PlaintextReader& reader) {
  Bytes out;
  VectorSink sink(out);
  auto r = enc.produce(offset, length, reader, sink);
  EXPECT_TRUE(r) << r.error().message();
  return out;
}

TEST(Seekable, RangesEqualSlicesOfTheStreamingOutput) {
  Fixture f;
  const Recipient* rs[] = {&f.recipient};
  auto header = detail::seal_header(rs);
  ASSERT_TRUE(header);
  std::array<std::uint8_t, 16> nonce{};
  nonce[3] = 42;
  for (std::size_t size : {0, 1, 65535, 65536, 65537, 131073}) {
    Bytes data = testing::pattern(size, 3);
    Bytes streamed;
    VectorSink sink(streamed);
    auto w = detail::encrypt_with(*header, nonce, sink);
    ASSERT_TRUE(w);
    ASSERT_TRUE((*w)->write(data));
    ASSERT_TRUE((*w)->finish());

    SeekableEncryptor enc = SeekableEncryptor::create_with(*header, nonce, size);
    ASSERT_EQ(enc.ciphertext_size(), streamed.size()) << size;
    auto reader = reader_for(data, 1000);
    EXPECT_EQ(produce(enc, 0, streamed.size(), reader), streamed);
    const std::uint64_t h = header->bytes.size() + 16;
    const std::uint64_t points[] = {0,
                                    1,
                                    h - 1,
                                    h,
                                    h + 1,
                                    h + 65535,
                                    h + 65536,
                                    h + 65551,
                                    h + 65552,
                                    h + 65553,
                                    streamed.size() - 1,
                                    streamed.size()};
    for (std::uint64_t a : points) {
      for (std::uint64_t b : points) {
        if (a > b || b > streamed.size()) continue;
        Bytes got = produce(enc, a, b - a, reader);
        ASSERT_EQ(got, Bytes(streamed.begin() + static_cast<std::ptrdiff_t>(a),
                             streamed.begin() + static_cast<std::ptrdiff_t>(b)))
            << size << " [" << a << ", " << b << ")";
      }
    }
  }
}

TEST(Seekable, CreateOutputDecrypts) {
  Fixture f;
  const Recipient* rs[] = {&f.recipient};
  Bytes data = testing::pattern(200000);
  auto enc = SeekableEncryptor::create(rs, data.size());
  ASSERT_TRUE(enc);
  // Assemble the file from uneven ranges, as a resumed download would.
  Bytes file;
  VectorSink sink(file);
  std::uint64_t pos = 0;
  for (std::uint64_t step : {10, 100000, 7, 50000}) {
    ASSERT_TRUE(enc->produce(pos, step, reader_for(data), sink));
    pos += step;
  }
  ASSERT_TRUE(enc->produce(pos, enc->ciphertext_size() - pos, reader_for(data), sink));
  Bytes back;
  VectorSink back_sink(back);
  SpanSource source(file);
  const Identity* ids[] = {&f.id};
  auto r = decrypt(ids, source, back_sink);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(back, data);
}

TEST(Seekable, RejectsBadRangesAndShortPlaintext) {
  Fixture f;
  const Recipient* rs[] = {&f.recipient};
  Bytes data = testing::pattern(1000);
  auto enc = SeekableEncryptor::create(rs, 2000);
  ASSERT_TRUE(enc);
  Bytes out;
  VectorSink sink(out);
  EXPECT_FALSE(enc->produce(enc->ciphertext_size(), 1, reader_for(data), sink));
  EXPECT_FALSE(enc->produce(1, UINT64_MAX, reader_for(data), sink));
  auto r = enc->produce(0, enc->ciphertext_size(), reader_for(data), sink);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kIo);
}

}  // namespace
}  // namespace safehouse::age
