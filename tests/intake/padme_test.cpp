// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/intake/padme_test.cpp: Padmé buckets against values worked out by
// hand from the paper's definition, and its properties over a range.
#include "intake/padme.h"

#include <gtest/gtest.h>

namespace safehouse::intake {
namespace {

TEST(Padme, SmallLengthsAreTheirOwnBucket) {
  for (std::uint64_t n = 0; n <= 8; ++n) EXPECT_EQ(padme(n), n) << n;
}

TEST(Padme, KnownValues) {
  EXPECT_EQ(padme(9), 10U);                 // E=3 S=2: 1 low bit cleared
  EXPECT_EQ(padme(17), 18U);                // E=4 S=3: 1 low bit
  EXPECT_EQ(padme(33), 36U);                // E=5 S=3: 2 low bits
  EXPECT_EQ(padme(100), 104U);              // E=6 S=3: 3 low bits
  EXPECT_EQ(padme(1000), 1024U);            // E=9 S=4: 5 low bits
  EXPECT_EQ(padme(1025), 1088U);            // E=10 S=4: 6 low bits
  EXPECT_EQ(padme(1'000'000), 1'015'808U);  // E=19 S=5: 14 low bits
  EXPECT_EQ(padme(std::uint64_t{1} << 40), std::uint64_t{1} << 40);
  EXPECT_EQ(padme((std::uint64_t{1} << 40) + 1),
            (std::uint64_t{1} << 40) + (std::uint64_t{1} << 34));
}

TEST(Padme, IsMonotoneIdempotentAndBounded) {
  std::uint64_t previous = 0;
  for (std::uint64_t n = 1; n < 200'000; n += 7) {
    const std::uint64_t p = padme(n);
    EXPECT_GE(p, n);
    EXPECT_GE(p, previous);
    EXPECT_EQ(padme(p), p);
    // The paper's bound: overhead at most 12% for lengths above a few bytes.
    if (n >= 64) EXPECT_LE(p - n, n * 12 / 100 + 1) << n;
    previous = p;
  }
}

TEST(Padme, LimitsTheNumberOfBuckets) {
  // Lengths 2^20 .. 2^21-1 round to multiples of 2^15 (E=20, S=5): 2^20,
  // 2^20 + 2^15, ... up to 2^21, which is 33 buckets.
  std::uint64_t buckets = 0, last = 0;
  for (std::uint64_t n = 1 << 20; n < (1 << 21); ++n) {
    const std::uint64_t p = padme(n);
    if (p != last) ++buckets, last = p;
  }
  EXPECT_EQ(buckets, 33U);
}

}  // namespace
}  // namespace safehouse::intake
