// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/review/totp_test.cpp: RFC 6238 Appendix B's test vectors (SHA-1,
// SHA-256, SHA-512, 8 digits) through review/totp.h, the window either side
// of now, and malformed codes.
#include "review/totp.h"

#include <gtest/gtest.h>

#include <string>

namespace safehouse::review {
namespace {

Bytes seed(std::string_view ascii) {
  return Bytes(ascii.begin(), ascii.end());
}

struct Vector {
  std::int64_t time;
  const char* sha1;
  const char* sha256;
  const char* sha512;
};

// RFC 6238, Appendix B.
constexpr Vector kVectors[] = {
    {59, "94287082", "46119246", "90693936"},
    {1111111109, "07081804", "68084774", "25091201"},
    {1111111111, "14050471", "67062674", "99943326"},
    {1234567890, "89005924", "91819424", "93441116"},
    {2000000000, "69279037", "90698825", "38618901"},
    {20000000000, "65353130", "77737706", "47863826"},
};

const Bytes kSeed1 = seed("12345678901234567890");
const Bytes kSeed256 = seed("12345678901234567890123456789012");
const Bytes kSeed512 = seed("1234567890123456789012345678901234567890123456789012345678901234");

TEST(TotpTest, Rfc6238Vectors) {
  for (const Vector& v : kVectors) {
    EXPECT_EQ(totp_code(kSeed1, v.time, 8, TotpHash::kSha1).value(), v.sha1) << v.time;
    EXPECT_EQ(totp_code(kSeed256, v.time, 8, TotpHash::kSha256).value(), v.sha256) << v.time;
    EXPECT_EQ(totp_code(kSeed512, v.time, 8, TotpHash::kSha512).value(), v.sha512) << v.time;
  }
}

TEST(TotpTest, MatchFindsTheStepWithinTheWindowOnly) {
  for (const Vector& v : kVectors) {
    const std::int64_t step = v.time / 30;
    EXPECT_EQ(totp_match(kSeed1, v.sha1, v.time, 8), step) << v.time;
    // One step late or early is drift; two is not.
    EXPECT_EQ(totp_match(kSeed1, v.sha1, v.time + 30, 8), step);
    EXPECT_EQ(totp_match(kSeed1, v.sha1, v.time - 30, 8), step);
    EXPECT_EQ(totp_match(kSeed1, v.sha1, v.time + 61, 8), std::nullopt);
    if (v.time > 120) EXPECT_EQ(totp_match(kSeed1, v.sha1, v.time - 61, 8), std::nullopt);
  }
  // Six digits (what authenticator apps show): the last six of the eight.
  EXPECT_EQ(totp_code(kSeed1, 59).value(), "287082");
  EXPECT_EQ(totp_match(kSeed1, "287082", 59), 1);
}

TEST(TotpTest, MalformedOrWrongCodesDoNotMatch) {
  for (const char* code : {"", "28708", "2870822", "28708a", " 287082", "287082\n", "２８７０８２",
                           "-28708", "000000"}) {
    EXPECT_EQ(totp_match(kSeed1, code, 59), std::nullopt) << code;
  }
  EXPECT_EQ(totp_match(Bytes(), "287082", 59), std::nullopt);
  EXPECT_FALSE(totp_code(Bytes(), 59));
  EXPECT_FALSE(totp_code(kSeed1, 59, 5));
  EXPECT_FALSE(totp_code(kSeed1, 59, 9));
}

}  // namespace
}  // namespace safehouse::review
