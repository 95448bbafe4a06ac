// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/age/bech32_test.cpp: Bech32 against the BIP 173 test vectors, plus
// the age-specific rules (no length limit, round trips of key strings).
#include "age/bech32.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace safehouse::age::detail {
namespace {

TEST(Bech32, Bip173ValidStrings) {
  const char* valid[] = {
      "A12UEL5L",
      "a12uel5l",
      "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
      "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
      "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
      "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
      "?1ezyfcl",
  };
  for (const char* s : valid) {
    auto r = bech32_decode(s, /*limit_90=*/true);
    EXPECT_TRUE(r) << s << ": " << (r ? "" : r.error().message());
  }
}

TEST(Bech32, Bip173InvalidStrings) {
  const std::string invalid[] = {
      std::string("\x20") + "1nwldj5",
      std::string("\x7f") + "1axkwrx",
      std::string("\x80") + "1eym55h",
      "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx",
      "pzry9x0s0muk",
      "1pzry9x0s0muk",
      "x1b4n0q5v",
      "li1dgmt3",
      std::string("de1lg7wt") + "\xff",
      "A1G7SGD8",
      "10a06t8",
      "1qzzfhee",
  };
  for (const auto& s : invalid) EXPECT_FALSE(bech32_decode(s, true)) << s;
}

TEST(Bech32, RejectsMixedCaseAndBadChecksum) {
  EXPECT_FALSE(bech32_decode("A12uEL5L"));
  EXPECT_FALSE(bech32_decode("a12uel5m"));
}

TEST(Bech32, RoundTripsLongerThanBip173Limit) {
  Bytes data = testing::pattern(100);
  std::string s = bech32_encode("age", data);
  EXPECT_GT(s.size(), 90u);
  auto r = bech32_decode(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->hrp, "age");
  EXPECT_EQ(r->data, data);
  EXPECT_FALSE(bech32_decode(s, true));
}

TEST(Bech32, UpperCaseHrpEncodesUpperCase) {
  Bytes data = testing::pattern(32);
  std::string s = bech32_encode("AGE-SECRET-KEY-", data);
  EXPECT_TRUE(s.starts_with("AGE-SECRET-KEY-1"));
  for (char c : s) EXPECT_FALSE(c >= 'a' && c <= 'z');
  auto r = bech32_decode(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->hrp, "AGE-SECRET-KEY-");
  EXPECT_EQ(r->data, data);
}

TEST(Bech32, RejectsNonZeroPadding) {
  // "a12uel5l" has empty data; one data symbol (5 bits) cannot form a byte.
  std::string s = bech32_encode("a", Bytes{});
  EXPECT_TRUE(bech32_decode(s));
  EXPECT_FALSE(bech32_decode("a1qqqqqqq"));  // bad checksum anyway
}

}  // namespace
}  // namespace safehouse::age::detail
