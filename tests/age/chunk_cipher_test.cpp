// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/age/chunk_cipher_test.cpp: the libcrypto payload cipher against
// libsodium (tests/age/sodium_reference.h), byte for byte: single chunks of
// every length around the boundaries and random lengths, in place and
// reused, tampered tags and bodies; then whole payloads from every writer
// (StreamWriter, ParallelStreamWriter, SeekableEncryptor) and the reader,
// including truncation and trailing data, accepted and rejected alike.
#include "age/chunk_cipher.h"

#include <gtest/gtest.h>

#include <random>
#include <stdexcept>

#include "age/age.h"
#include "age/parallel_stream.h"
#include "age/seekable.h"
#include "age/stream.h"
#include "age/x25519.h"
#include "sodium_reference.h"
#include "test_util.h"

namespace safehouse::age::detail {
namespace {

using testing::sodium_open_chunk;
using testing::sodium_open_payload;
using testing::sodium_seal_chunk;
using testing::sodium_seal_payload;

crypto::SecretBytes key_of(std::uint8_t seed) {
  return crypto::SecretBytes::copy_of(testing::pattern(kAeadKeyBytes, seed));
}

AeadNonce nonce_of(std::uint64_t i) {
  return chunk_nonce(i * 7919 + 3, i % 3 == 0);
}

// Lengths worth checking for one chunk: every small one (partial ChaCha20
// and Poly1305 blocks), around the SIMD batch sizes, and up to a full chunk.
std::vector<std::size_t> chunk_lengths() {
  std::vector<std::size_t> out;
  for (std::size_t n = 0; n <= 600; ++n) out.push_back(n);
  for (std::size_t base : {1024u, 2048u, 4096u, 8192u, 32768u, 65536u}) {
    for (std::size_t n = base - 17; n <= base + 1 && n <= kChunkBytes; ++n) out.push_back(n);
  }
  std::mt19937_64 rng(20261204);
  std::uniform_int_distribution<std::size_t> any(0, kChunkBytes);
  for (int i = 0; i < 200; ++i) out.push_back(any(rng));
  return out;
}

TEST(ChunkCipher, SealsAndOpensLikeLibsodiumOnEveryLength) {
  const crypto::SecretBytes key = key_of(11);
  ChunkCipher cipher(key);  // one context for all lengths: reuse is the point
  const Bytes data = testing::pattern(kChunkBytes, 4);
  Bytes ours(kEncryptedChunkBytes);
  Bytes theirs(kEncryptedChunkBytes);
  Bytes plain(kChunkBytes);
  std::uint64_t i = 0;
  for (std::size_t len : chunk_lengths()) {
    const AeadNonce nonce = nonce_of(i++);
    cipher.seal(nonce, data.data(), len, ours.data());
    sodium_seal_chunk(key, nonce, data.data(), len, theirs.data());
    ASSERT_TRUE(std::equal(ours.begin(), ours.begin() + static_cast<std::ptrdiff_t>(len + 16),
                           theirs.begin()))
        << len;
    // Each opens the other's output.
    ASSERT_TRUE(cipher.open(nonce, theirs.data(), len + kAeadTagBytes, plain.data())) << len;
    EXPECT_TRUE(
        std::equal(plain.begin(), plain.begin() + static_cast<std::ptrdiff_t>(len), data.begin()))
        << len;
    ASSERT_TRUE(sodium_open_chunk(key, nonce, ours.data(), len + kAeadTagBytes, plain.data()))
        << len;
  }
}

TEST(ChunkCipher, SealsInPlace) {
  const crypto::SecretBytes key = key_of(12);
  ChunkCipher cipher(key);
  for (std::size_t len : {std::size_t{0}, std::size_t{1}, std::size_t{65535}, kChunkBytes}) {
    Bytes buf = testing::pattern(len + kAeadTagBytes, 6);
    Bytes expected(len + kAeadTagBytes);
    sodium_seal_chunk(key, nonce_of(len), buf.data(), len, expected.data());
    cipher.seal(nonce_of(len), buf.data(), len, buf.data());
    EXPECT_EQ(buf, expected) << len;
  }
}

TEST(ChunkCipher, RejectsEveryTamperingAndWipesTheOutput) {
  const crypto::SecretBytes key = key_of(13);
  ChunkCipher cipher(key);
  for (std::size_t len : {std::size_t{0}, std::size_t{1}, std::size_t{1000}, kChunkBytes}) {
    const Bytes data = testing::pattern(len, 8);
    const AeadNonce nonce = chunk_nonce(5, false);
    Bytes sealed(len + kAeadTagBytes);
    sodium_seal_chunk(key, nonce, data.data(), len, sealed.data());
    Bytes plain(kChunkBytes);
    auto rejects = [&](const Bytes& ct, const AeadNonce& n, ChunkCipher& c, std::size_t size) {
      std::fill(plain.begin(), plain.end(), 0xAA);
      const Bytes before = ct;
      const bool opened = c.open(n, ct.data(), size, plain.data());
      EXPECT_EQ(ct, before) << "input changed, len " << len;
      // What was decrypted before the tag check failed is gone.
      const std::size_t body = size >= kAeadTagBytes ? size - kAeadTagBytes : 0;
      EXPECT_TRUE(std::all_of(plain.begin(), plain.begin() + static_cast<std::ptrdiff_t>(body),
                              [](std::uint8_t b) { return b == 0; }))
          << len;
      return !opened && !sodium_open_chunk(key, n, ct.data(), size, plain.data());
    };
    // Every bit of the tag, and the body at its first, middle and last byte.
    for (std::size_t bit = 0; bit < kAeadTagBytes * 8; ++bit) {
      Bytes t = sealed;
      t[len + bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
      EXPECT_TRUE(rejects(t, nonce, cipher, t.size())) << len << " tag bit " << bit;
    }
    if (len > 0) {
      for (std::size_t at : {std::size_t{0}, len / 2, len - 1}) {
        Bytes t = sealed;
        t[at] ^= 0x80;
        EXPECT_TRUE(rejects(t, nonce, cipher, t.size())) << len << " body byte " << at;
      }
    }
    // The final flag, another counter, another key, and lengths cut short.
    EXPECT_TRUE(rejects(sealed, chunk_nonce(5, true), cipher, sealed.size())) << len;
    EXPECT_TRUE(rejects(sealed, chunk_nonce(6, false), cipher, sealed.size())) << len;
    ChunkCipher other(key_of(14));
    EXPECT_FALSE(other.open(nonce, sealed.data(), sealed.size(), plain.data())) << len;
    EXPECT_TRUE(rejects(sealed, nonce, cipher, sealed.size() - 1)) << len;
    EXPECT_FALSE(cipher.open(nonce, sealed.data(), kAeadTagBytes - 1, plain.data()));
    // A failed open leaves the context usable: the genuine chunk still opens.
    ASSERT_TRUE(cipher.open(nonce, sealed.data(), sealed.size(), plain.data())) << len;
    EXPECT_TRUE(std::equal(data.begin(), data.end(), plain.begin())) << len;
  }
}

TEST(ChunkCipher, WrongKeySizeIsABug) {
  EXPECT_THROW(ChunkCipher(crypto::SecretBytes::copy_of(testing::pattern(31))), std::logic_error);
}

TEST(ChunkCipher, MovedContextKeepsItsKey) {
  const crypto::SecretBytes key = key_of(15);
  ChunkCipher first(key);
  ChunkCipher second(std::move(first));
  ChunkCipher third(key_of(16));
  third = std::move(second);
  const Bytes data = testing::pattern(100, 2);
  Bytes ours(100 + kAeadTagBytes);
  Bytes theirs(100 + kAeadTagBytes);
  third.seal(nonce_of(1), data.data(), data.size(), ours.data());
  sodium_seal_chunk(key, nonce_of(1), data.data(), data.size(), theirs.data());
  EXPECT_EQ(ours, theirs);
}

// Payload sizes around chunk boundaries, multiples, and random ones.
std::vector<std::size_t> payload_sizes() {
  std::vector<std::size_t> out = {0, 1, 16, 65535, 65536, 65537};
  for (std::size_t k : {2u, 3u, 5u}) {
    for (std::size_t n = k * kChunkBytes - 1; n <= k * kChunkBytes + 1; ++n) out.push_back(n);
  }
  std::mt19937_64 rng(4);
  std::uniform_int_distribution<std::size_t> any(0, 9 * kChunkBytes);
  for (int i = 0; i < 12; ++i) out.push_back(any(rng));
  return out;
}

Bytes with_stream_writer(const crypto::SecretBytes& key, ByteSpan data, std::size_t piece) {
  Bytes out;
  VectorSink sink(out);
  StreamWriter w(crypto::SecretBytes::copy_of(key.reveal()), sink);
  for (std::size_t i = 0; i < data.size(); i += piece) {
    EXPECT_TRUE(w.write(data.subspan(i, std::min(piece, data.size() - i))));
  }
  EXPECT_TRUE(w.finish());
  return out;
}

Bytes with_parallel_writer(const crypto::SecretBytes& key, ByteSpan data, unsigned threads) {
  Bytes out;
  VectorSink sink(out);
  ParallelStreamWriter w(crypto::SecretBytes::copy_of(key.reveal()), sink, threads);
  EXPECT_TRUE(w.write(data));
  EXPECT_TRUE(w.finish());
  return out;
}

std::optional<Bytes> with_reader(const crypto::SecretBytes& key, ByteSpan payload) {
  Bytes out;
  VectorSink sink(out);
  testing::PieceSource source(payload, 30000);
  if (!decrypt_stream(key, {}, source, sink)) return std::nullopt;
  return out;
}

TEST(ChunkCipherPayload, EveryWriterMatchesTheLibsodiumReference) {
  const crypto::SecretBytes key = key_of(21);
  for (std::size_t size : payload_sizes()) {
    const Bytes data = testing::pattern(size, 9);
    const Bytes expected = sodium_seal_payload(key, data);
    ASSERT_EQ(expected.size(), encrypted_payload_size(size));
    EXPECT_TRUE(with_stream_writer(key, data, std::size_t{1} << 30) == expected) << size;
    EXPECT_TRUE(with_stream_writer(key, data, 4099) == expected) << size;
    EXPECT_TRUE(with_parallel_writer(key, data, 2) == expected) << size;
    EXPECT_TRUE(with_parallel_writer(key, data, 3) == expected) << size;
    auto opened = with_reader(key, expected);
    ASSERT_TRUE(opened) << size;
    EXPECT_TRUE(*opened == data) << size;
  }
}

TEST(ChunkCipherPayload, SeekableMatchesTheLibsodiumReference) {
  X25519Identity id = X25519Identity::generate();
  X25519Recipient recipient = id.recipient();
  const Recipient* rs[] = {&recipient};
  auto header = seal_header(rs);
  ASSERT_TRUE(header);
  std::array<std::uint8_t, kPayloadNonceBytes> nonce{};
  nonce[0] = 1;
  const crypto::SecretBytes key = payload_key(header->file_key, nonce);
  for (std::size_t size : payload_sizes()) {
    const Bytes data = testing::pattern(size, 10);
    SeekableEncryptor enc = SeekableEncryptor::create_with(*header, nonce, size);
    const std::uint64_t start = header->bytes.size() + kPayloadNonceBytes;
    Bytes out;
    VectorSink sink(out);
    auto read = [&data](std::uint64_t offset, MutableByteSpan to) -> Result<std::size_t> {
      std::size_t n = std::min(to.size(), data.size() - static_cast<std::size_t>(offset));
      std::copy_n(data.begin() + static_cast<std::ptrdiff_t>(offset), n, to.begin());
      return n;
    };
    ASSERT_TRUE(enc.produce(start, enc.ciphertext_size() - start, read, sink)) << size;
    EXPECT_TRUE(out == sodium_seal_payload(key, data)) << size;
  }
}

TEST(ChunkCipherPayload, ReaderAcceptsAndRejectsExactlyAsTheReference) {
  const crypto::SecretBytes key = key_of(22);
  for (std::size_t size : {std::size_t{0}, std::size_t{65536}, std::size_t{3 * 65536 + 10}}) {
    const Bytes data = testing::pattern(size, 11);
    const Bytes sealed = sodium_seal_payload(key, data);
    std::vector<Bytes> variants;
    // Truncated at and around every chunk boundary and to nothing.
    for (std::size_t cut = 0; cut <= sealed.size(); cut += kEncryptedChunkBytes) {
      for (std::size_t c : {cut, cut + 1, cut + kAeadTagBytes}) {
        if (c >= 1 && c - 1 < sealed.size())
          variants.emplace_back(sealed.begin(),
                                sealed.begin() + static_cast<std::ptrdiff_t>(c - 1));
        if (c < sealed.size())
          variants.emplace_back(sealed.begin(), sealed.begin() + static_cast<std::ptrdiff_t>(c));
      }
    }
    // A flipped bit in each chunk's body and tag; trailing data; an extra
    // empty final chunk.
    for (std::size_t chunk = 0; chunk * kEncryptedChunkBytes < sealed.size(); ++chunk) {
      const std::size_t begin = chunk * kEncryptedChunkBytes;
      const std::size_t end = std::min(sealed.size(), begin + kEncryptedChunkBytes);
      for (std::size_t at : {begin, end - 1}) {
        Bytes t = sealed;
        t[at] ^= 1;
        variants.push_back(std::move(t));
      }
    }
    variants.push_back(sealed);
    variants.back().push_back(0);
    {
      const std::size_t chunks = size == 0 ? 1 : (size + kChunkBytes - 1) / kChunkBytes;
      Bytes extra = sealed;
      Bytes empty_final(kAeadTagBytes);
      sodium_seal_chunk(key, testing::sodium_chunk_nonce(chunks, true), nullptr, 0,
                        empty_final.data());
      extra.insert(extra.end(), empty_final.begin(), empty_final.end());
      variants.push_back(std::move(extra));
    }
    variants.push_back(sealed);  // and the genuine one
    for (std::size_t v = 0; v < variants.size(); ++v) {
      auto ours = with_reader(key, variants[v]);
      auto theirs = sodium_open_payload(key, variants[v]);
      ASSERT_EQ(ours.has_value(), theirs.has_value())
          << "size " << size << " variant " << v << " of " << variants[v].size() << " bytes";
      if (ours) EXPECT_TRUE(*ours == *theirs) << size << " variant " << v;
    }
    EXPECT_TRUE(with_reader(key, variants.back())) << size;
  }
}

}  // namespace
}  // namespace safehouse::age::detail
