// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/review/base32_test.cpp: base32 against the RFC 4648 §10 vectors,
// malformed input, and the tor client-authorisation key lines (public key
// checked against RFC 7748 §6.1's X25519 vector).
#include "review/base32.h"

#include <gtest/gtest.h>

#include "review/onion_client_auth.h"

namespace safehouse::review {
namespace {

struct Vector {
  const char* plain;
  const char* padded;
  const char* unpadded;
};

constexpr Vector kRfc4648[] = {
    {"", "", ""},
    {"f", "MY======", "MY"},
    {"fo", "MZXQ====", "MZXQ"},
    {"foo", "MZXW6===", "MZXW6"},
    {"foob", "MZXW6YQ=", "MZXW6YQ"},
    {"fooba", "MZXW6YTB", "MZXW6YTB"},
    {"foobar", "MZXW6YTBOI======", "MZXW6YTBOI"},
};

std::string text_of(const Bytes& bytes) {
  return {bytes.begin(), bytes.end()};
}

TEST(Base32Test, Rfc4648Vectors) {
  for (const auto& v : kRfc4648) {
    EXPECT_EQ(base32_encode(as_bytes(v.plain), Base32Padding::kPad), v.padded) << v.plain;
    EXPECT_EQ(base32_encode(as_bytes(v.plain)), v.unpadded) << v.plain;
    EXPECT_EQ(text_of(base32_decode(v.padded).value()), v.plain) << v.padded;
    EXPECT_EQ(text_of(base32_decode(v.unpadded).value()), v.plain) << v.unpadded;
  }
}

TEST(Base32Test, DecodesLowerCase) {
  EXPECT_EQ(text_of(base32_decode("mzxw6ytboi").value()), "foobar");
}

TEST(Base32Test, RoundTripsEveryLength) {
  Bytes data;
  for (int i = 0; i < 70; ++i) {
    EXPECT_EQ(base32_decode(base32_encode(data)).value(), data);
    EXPECT_EQ(base32_decode(base32_encode(data, Base32Padding::kPad)).value(), data);
    data.push_back(static_cast<std::uint8_t>(i * 37 + 11));
  }
}

TEST(Base32Test, RejectsMalformed) {
  for (const char* bad : {"M", "MZX", "MZXW6Y", "MY=====", "MY=======", "MY======A", "MZXW6YQ0",
                          "MZXW6YQ1", "MZ XW", "MZ=XW6==", "MZ",  // "MZ": non-zero low bits
                          "MZXW6YQ=\n"}) {
    auto decoded = base32_decode(bad);
    ASSERT_FALSE(decoded) << bad;
    EXPECT_EQ(decoded.error().code(), ErrorCode::kMalformed) << bad;
  }
}

TEST(OnionClientAuthTest, PublicKeyIsX25519OfThePrivateKey) {
  // RFC 7748 §6.1, Alice.
  const Bytes private_key = {0x77, 0x07, 0x6d, 0x0a, 0x73, 0x18, 0xa5, 0x7d, 0x3c, 0x16, 0xc1,
                             0x72, 0x51, 0xb2, 0x66, 0x45, 0xdf, 0x4c, 0x2f, 0x87, 0xeb, 0xc0,
                             0x99, 0x2a, 0xb1, 0x77, 0xfb, 0xa5, 0x1d, 0xb9, 0x2c, 0x2a};
  const Bytes public_key = {0x85, 0x20, 0xf0, 0x09, 0x89, 0x30, 0xa7, 0x54, 0x74, 0x8b, 0x7d,
                            0xdc, 0xb4, 0x3e, 0xf7, 0x5a, 0x0d, 0xbf, 0x3a, 0x0d, 0x26, 0x38,
                            0x1a, 0xf4, 0xeb, 0xa4, 0xa9, 0x8e, 0xaa, 0x9b, 0x4e, 0x6a};
  auto keys = client_auth_keys_from_private(crypto::SecretBytes::copy_of(private_key)).value();
  EXPECT_EQ(Bytes(keys.public_key.begin(), keys.public_key.end()), public_key);
  EXPECT_EQ(service_auth_line(keys), "descriptor:x25519:" + base32_encode(public_key));
  const auto line = client_auth_line(keys, "abc");
  const std::string text(line.reveal().begin(), line.reveal().end());
  EXPECT_EQ(text, "abc:descriptor:x25519:" + base32_encode(private_key));
  EXPECT_EQ(text.find('='), std::string::npos);
  EXPECT_EQ(base32_encode(private_key).size(), 52U);  // tor's length for 32 bytes
}

TEST(OnionClientAuthTest, GeneratesDistinctConsistentPairs) {
  auto a = generate_client_auth_keys();
  auto b = generate_client_auth_keys();
  EXPECT_NE(a.public_key, b.public_key);
  auto again =
      client_auth_keys_from_private(crypto::SecretBytes::copy_of(a.private_key.reveal())).value();
  EXPECT_EQ(again.public_key, a.public_key);
  EXPECT_FALSE(client_auth_keys_from_private(crypto::SecretBytes(31)));
}

}  // namespace
}  // namespace safehouse::review
