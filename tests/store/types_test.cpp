// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/store/types_test.cpp: digests in hex, days, and the names statuses
// and directions are stored under — including malformed input.
#include "store/types.h"

#include <gtest/gtest.h>

namespace safehouse::store {
namespace {

TEST(Sha256Hex, RoundTripsAndMatchesAKnownDigest) {
  Sha256 empty = sha256_of({});
  EXPECT_EQ(to_hex(empty), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  auto parsed = sha256_from_hex(to_hex(empty));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, empty);
}

TEST(Sha256Hex, RejectsMalformedHex) {
  std::string good(64, 'a');
  EXPECT_TRUE(sha256_from_hex(good));
  EXPECT_EQ(sha256_from_hex("").error().code(), ErrorCode::kMalformed);
  EXPECT_EQ(sha256_from_hex(good.substr(1)).error().code(), ErrorCode::kMalformed);
  EXPECT_EQ(sha256_from_hex(good + "a").error().code(), ErrorCode::kMalformed);
  EXPECT_EQ(sha256_from_hex(std::string(64, 'A')).error().code(), ErrorCode::kMalformed);
  EXPECT_EQ(sha256_from_hex(std::string(63, 'a') + "g").error().code(), ErrorCode::kMalformed);
  EXPECT_EQ(sha256_from_hex(std::string(63, 'a') + '\0').error().code(), ErrorCode::kMalformed);
}

TEST(Day, ValidatesCalendarDates) {
  EXPECT_TRUE(is_valid_day(20261125));
  EXPECT_TRUE(is_valid_day(20240229));   // leap year
  EXPECT_FALSE(is_valid_day(20230229));  // not a leap year
  EXPECT_FALSE(is_valid_day(20261131));
  EXPECT_FALSE(is_valid_day(20261300));
  EXPECT_FALSE(is_valid_day(20261100));
  EXPECT_FALSE(is_valid_day(19991231));
  EXPECT_FALSE(is_valid_day(0));
  EXPECT_FALSE(is_valid_day(-20261125));
}

TEST(Day, OfATimePointIsItsUtcDate) {
  using namespace std::chrono;
  sys_days day = year(2026) / November / 25;
  EXPECT_EQ(day_of(day + hours(23) + minutes(59)), 20261125);
  EXPECT_EQ(day_of(day + hours(24)), 20261126);
}

TEST(Names, StatusesAndDirectionsRoundTrip) {
  for (int i = 0; i <= static_cast<int>(CaseStatus::kPurged); ++i) {
    auto status = static_cast<CaseStatus>(i);
    auto back = status_from_name(status_name(status));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, status);
  }
  EXPECT_EQ(status_name(CaseStatus::kNeedsInfo), "needs-info");
  EXPECT_EQ(status_name(CaseStatus::kSuspectedInfiltration), "suspected-infiltration");
  EXPECT_EQ(*direction_from_name(direction_name(Direction::kReviewer)), Direction::kReviewer);
}

TEST(Names, RejectUnknownNames) {
  for (const char* bad : {"", "Received", "received ", "needs_info", "verified\n"}) {
    EXPECT_EQ(status_from_name(bad).error().code(), ErrorCode::kMalformed) << bad;
  }
  EXPECT_EQ(direction_from_name("Source").error().code(), ErrorCode::kMalformed);
}

}  // namespace
}  // namespace safehouse::store
