// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/crypto/hkdf_test.cpp: HKDF-SHA-256 against the RFC 5869 appendix A vectors.
#include "crypto/hkdf.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <string>
#include <vector>

namespace safehouse::crypto {
namespace {

std::vector<std::uint8_t> from_hex(const std::string& hex) {
  if (hex.empty()) return {};
  std::vector<std::uint8_t> out(hex.size() / 2);
  size_t len = 0;
  EXPECT_EQ(sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &len, nullptr), 0);
  out.resize(len);
  return out;
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes.data(), bytes.size());
  out.pop_back();
  return out;
}

struct Vector {
  std::string ikm, salt, info;
  std::size_t length;
  std::string okm;
};

TEST(Hkdf, Rfc5869Vectors) {
  const Vector vectors[] = {
      // A.1: basic test case.
      {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "000102030405060708090a0b0c",
       "f0f1f2f3f4f5f6f7f8f9", 42,
       "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"},
      // A.2: longer inputs and outputs.
      {"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c"
       "2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f",
       "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c"
       "8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
       "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdc"
       "dddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
       82,
       "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e"
       "590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87"},
      // A.3: zero-length salt and info.
      {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "", 42,
       "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"},
  };
  for (const auto& v : vectors) {
    auto ikm = from_hex(v.ikm), salt = from_hex(v.salt), info = from_hex(v.info);
    auto okm = hkdf_sha256(ikm, salt, std::span<const std::uint8_t>(info), v.length);
    EXPECT_EQ(to_hex(okm.reveal()), v.okm);
  }
}

TEST(Hkdf, RejectsOverlongOutput) {
  std::vector<std::uint8_t> ikm(32, 1);
  EXPECT_THROW(hkdf_sha256(ikm, {}, "x", kHkdfMaxOutputBytes + 1), std::invalid_argument);
}

}  // namespace
}  // namespace safehouse::crypto
