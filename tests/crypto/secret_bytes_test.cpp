// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/crypto/secret_bytes_test.cpp: SecretBytes ownership and comparison.
#include "crypto/secret_bytes.h"

#include <gtest/gtest.h>

#include <array>

namespace safehouse::crypto {
namespace {

TEST(SecretBytes, CopyOfHoldsTheBytes) {
  std::array<std::uint8_t, 3> raw{1, 2, 3};
  auto s = SecretBytes::copy_of(raw);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s.reveal()[2], 3);
}

TEST(SecretBytes, MoveLeavesTheSourceEmpty) {
  auto a = SecretBytes::random(32);
  SecretBytes b = std::move(a);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): checking the moved-from state
  EXPECT_EQ(b.size(), 32u);
}

TEST(SecretBytes, EqualsComparesContentAndSize) {
  std::array<std::uint8_t, 4> x{1, 2, 3, 4};
  std::array<std::uint8_t, 4> y{1, 2, 3, 5};
  EXPECT_TRUE(SecretBytes::copy_of(x).equals(SecretBytes::copy_of(x)));
  EXPECT_FALSE(SecretBytes::copy_of(x).equals(SecretBytes::copy_of(y)));
  EXPECT_FALSE(SecretBytes::copy_of(x).equals(SecretBytes::copy_of(std::span(x).first(3))));
}

TEST(SecretBytes, RandomIsNotConstant) {
  EXPECT_FALSE(SecretBytes::random(32).equals(SecretBytes::random(32)));
}

}  // namespace
}  // namespace safehouse::crypto
