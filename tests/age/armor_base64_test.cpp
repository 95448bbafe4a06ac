// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/age/armor_base64_test.cpp: the armor's table-driven base64 against
// libsodium's strict codec: same encodings, and the same accept/reject
// decision on random strings built to hit padding and trailing-bit cases.
#include "age/armor_base64.h"

#include <gtest/gtest.h>

#include <random>

#include "age/primitives.h"
#include "test_util.h"

namespace safehouse::age::detail {
namespace {

std::optional<Bytes> fast_decode(std::string_view text) {
  Bytes out(text.size() / 4 * 3);
  std::ptrdiff_t n = armor_base64_decode(text, out.data());
  if (n < 0) return std::nullopt;
  out.resize(static_cast<std::size_t>(n));
  return out;
}

TEST(ArmorBase64, EncodesLikeLibsodium) {
  for (std::size_t size = 0; size <= 100; ++size) {
    Bytes data = testing::pattern(size, static_cast<std::uint8_t>(size));
    std::string fast((size + 2) / 3 * 4, '?');
    armor_base64_encode(data, fast.data());
    EXPECT_EQ(fast, base64_encode_padded(data)) << size;
    auto back = fast_decode(fast);
    ASSERT_TRUE(back) << size;
    EXPECT_EQ(*back, data);
  }
}

TEST(ArmorBase64, DecidesLikeLibsodiumOnRandomStrings) {
  std::mt19937 rng(1234);
  const std::string alphabet = "AQgwBRhx/+9z=*= \n";  // varied low bits, padding, junk
  int accepted = 0;
  for (int i = 0; i < 200000; ++i) {
    std::string s(rng() % 13, 'A');
    for (char& c : s) c = alphabet[rng() % alphabet.size()];
    Bytes ref;
    bool ok = base64_decode_padded(s, ref);
    auto fast = fast_decode(s);
    ASSERT_EQ(fast.has_value(), ok) << "'" << s << "'";
    if (ok) {
      EXPECT_EQ(*fast, ref) << s;
      ++accepted;
    }
  }
  EXPECT_GT(accepted, 1000);  // the test really exercises acceptance too
}

TEST(ArmorBase64, RejectsNonCanonicalForms) {
  for (std::string_view s : {"QQ", "QQ=", "QR==", "QUI=A", "QUJ=", "Q===", "====", "QQ==QUFB",
                             "QU=B", "QUF\xc3", "QUFB\n"}) {
    EXPECT_FALSE(fast_decode(s)) << s;
  }
  EXPECT_EQ(fast_decode("QQ=="), Bytes{'A'});
  EXPECT_EQ(fast_decode("QUI="), (Bytes{'A', 'B'}));
  EXPECT_EQ(fast_decode(""), Bytes{});
}

}  // namespace
}  // namespace safehouse::age::detail
