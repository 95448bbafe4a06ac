// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/crypto/sha256_test.cpp: the libcrypto SHA-256 against the FIPS 180-2
// examples, and against libsodium's independent implementation (the one it
// replaced) for many lengths and ways of splitting the input.
#include "crypto/sha256.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <string>
#include <string_view>
#include <vector>

namespace safehouse::crypto {
namespace {

std::string hex(const Sha256Digest& digest) {
  std::string out(digest.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), digest.data(), digest.size());
  out.pop_back();
  return out;
}

std::span<const std::uint8_t> bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

Sha256Digest sodium_sha256(std::span<const std::uint8_t> data) {
  Sha256Digest out{};
  crypto_hash_sha256(out.data(), data.data(), data.size());
  return out;
}

TEST(Sha256, Fips180Examples) {
  EXPECT_EQ(hex(sha256(bytes(""))),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hex(sha256(bytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex(sha256(bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  Sha256 million;
  std::string thousand(1000, 'a');
  for (int i = 0; i < 1000; ++i) million.update(bytes(thousand));
  EXPECT_EQ(hex(million.finish()),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, AgreesWithLibsodiumForEveryLengthAndSplit) {
  std::vector<std::uint8_t> data(1000);
  randombytes_buf(data.data(), data.size());
  for (std::size_t length : {0, 1, 55, 56, 63, 64, 65, 127, 128, 129, 999, 1000}) {
    auto message = std::span<const std::uint8_t>(data).first(length);
    Sha256Digest expected = sodium_sha256(message);
    EXPECT_EQ(sha256(message), expected) << "length " << length;
    for (std::size_t split = 0; split <= length; split += 7) {
      Sha256 hasher;
      hasher.update(message.first(split));
      hasher.update(message.subspan(split));
      EXPECT_EQ(hasher.finish(), expected) << "length " << length << " split " << split;
    }
  }
}

TEST(Sha256, FinishResetsTheHasher) {
  Sha256 hasher;
  hasher.update(bytes("first message"));
  EXPECT_EQ(hasher.finish(), sha256(bytes("first message")));
  hasher.update(bytes("abc"));
  EXPECT_EQ(hex(hasher.finish()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hasher.finish(), sha256(bytes("")));
}

TEST(Sha256, MovedHasherKeepsItsState) {
  Sha256 hasher;
  hasher.update(bytes("ab"));
  Sha256 moved(std::move(hasher));
  moved.update(bytes("c"));
  Sha256 assigned;
  assigned = std::move(moved);
  EXPECT_EQ(hex(assigned.finish()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace safehouse::crypto
