// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/tlog/case_log_test.cpp: statement periods, the figures of a period
// (each case once, by its last event in the period), and the openings file
// an observer decrypts: exact text, round trip, malformed input refused.
#include "tlog/case_log.h"

#include <gtest/gtest.h>

namespace safehouse::tlog {
namespace {

TEST(Period, EverySpelling) {
  EXPECT_EQ(parse_period("2026").value(), (Period{"2026-01-01", "2026-12-31"}));
  EXPECT_EQ(parse_period("2024-02").value(), (Period{"2024-02-01", "2024-02-29"}));
  EXPECT_EQ(parse_period("2026-02").value(), (Period{"2026-02-01", "2026-02-28"}));
  EXPECT_EQ(parse_period("2026-Q4").value(), (Period{"2026-10-01", "2026-12-31"}));
  EXPECT_EQ(parse_period("2026-Q1").value(), (Period{"2026-01-01", "2026-03-31"}));
  EXPECT_EQ(parse_period("2026-11-05").value(), (Period{"2026-11-05", "2026-11-05"}));
  EXPECT_EQ(parse_period("2026-01-01..2026-03-31").value(), (Period{"2026-01-01", "2026-03-31"}));
}

TEST(Period, MalformedIsRefused) {
  for (const char* bad : {"", "26", "2026-13", "2026-00", "2026-Q5", "2026-Q0", "2026-1",
                          "2026-02-30", "2026-03-31..2026-01-01", "2026-01-01..", "..2026-01-01",
                          "2026-01-01..2026-1-2", "abcd", "2026 ", "0000"}) {
    auto period = parse_period(bad);
    EXPECT_FALSE(period) << bad;
    if (!period) EXPECT_EQ(period.error().code(), ErrorCode::kInvalidArgument) << bad;
  }
}

TEST(CountPeriod, EachCaseOnceByItsLastEventInThePeriod) {
  const std::vector<CountedEvent> events = {
      {"1", 1, "2026-01-05", "received", "police"},
      {"1", 2, "2026-02-01", "triage", "police"},
      {"1", 3, "2026-04-02", "verified", "police"},  // after the period
      {"2", 1, "2025-12-31", "received", "army"},    // before the period
      {"3", 2, "2026-03-01", "rejected", "army"},    // out of order on purpose
      {"3", 1, "2026-02-01", "received", "uncategorised"},
      {"4", 1, "2026-03-31", "received", ""},  // no opening
  };
  const PeriodCounts counts = count_period(events, Period{"2026-01-01", "2026-03-31"});
  EXPECT_EQ(counts.cases, 3u);
  EXPECT_EQ(counts.statuses, (Counts{{"triage", 1}, {"rejected", 1}, {"received", 1}}));
  EXPECT_EQ(counts.categories, (Counts{{"police", 1}, {"army", 1}}));
  EXPECT_EQ(counts.unknown_categories, 1u);
  EXPECT_EQ(count_period(events, Period{"2027-01-01", "2027-12-31"}).cases, 0u);
}

OpeningsFile sample_file() {
  OpeningsFile file;
  file.origin = "example-org/c74f20a3/log";
  file.size = 7;
  CategoryOpening a{"12", 1, "police", {}, false};
  a.nonce.fill(0);
  CategoryOpening b{"13", 2, "army officer", {}, true};
  b.nonce.fill(0xff);
  file.openings = {a, b};
  return file;
}

TEST(OpeningsFile, ExactTextAndRoundTrip) {
  const std::string text = format_openings_file(sample_file()).value();
  EXPECT_EQ(text,
            "safehouse/openings/v2\nlog example-org/c74f20a3/log\nsize 7\n"
            "safehouse/opening/v2\ncase 12\nevent 1\ncategory police\n"
            "nonce AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\naudit-consent no\n"
            "safehouse/opening/v2\ncase 13\nevent 2\ncategory army officer\n"
            "nonce //////////////////////////////////////////8=\naudit-consent yes\n");
  const OpeningsFile parsed = parse_openings_file(text).value();
  EXPECT_EQ(parsed.version, 2u);
  EXPECT_EQ(parsed.origin, "example-org/c74f20a3/log");
  EXPECT_EQ(parsed.size, 7u);
  ASSERT_EQ(parsed.openings.size(), 2u);
  EXPECT_EQ(parsed.openings[1].category, "army officer");
  EXPECT_EQ(parsed.openings[1].nonce, sample_file().openings[1].nonce);
  EXPECT_EQ(parsed.openings, sample_file().openings);
  EXPECT_EQ(consented_cases(parsed), (std::vector<std::string>{"13"}));
  OpeningsFile empty = sample_file();
  empty.openings.clear();
  EXPECT_EQ(parse_openings_file(format_openings_file(empty).value()).value().openings.size(), 0u);
}

// A version-1 file (made before the audit consent) is still read; its
// cases did not consent. Version 1 cannot be written with a consent.
TEST(OpeningsFile, VersionOneIsReadAsNoConsent) {
  OpeningsFile file = sample_file();
  file.version = 1;
  EXPECT_EQ(format_openings_file(file).error().code(), ErrorCode::kInvalidArgument);
  file.openings[1].audit_consent = false;
  const std::string text = format_openings_file(file).value();
  EXPECT_EQ(text,
            "safehouse/openings/v1\nlog example-org/c74f20a3/log\nsize 7\n"
            "safehouse/opening/v1\ncase 12\nevent 1\ncategory police\n"
            "nonce AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
            "safehouse/opening/v1\ncase 13\nevent 2\ncategory army officer\n"
            "nonce //////////////////////////////////////////8=\n");
  const OpeningsFile parsed = parse_openings_file(text).value();
  EXPECT_EQ(parsed.version, 1u);
  EXPECT_EQ(parsed.openings, file.openings);
  EXPECT_TRUE(consented_cases(parsed).empty());
}

TEST(OpeningsFile, ConsentedCasesAreDistinctAndInNumericOrder) {
  OpeningsFile file = sample_file();
  file.openings.clear();
  for (const char* id : {"100", "9", "100", "20", "7"}) {
    file.openings.push_back(CategoryOpening{id, 1, "police", {}, std::string_view(id) != "7"});
  }
  EXPECT_EQ(consented_cases(file), (std::vector<std::string>{"9", "20", "100"}));
}

TEST(OpeningsFile, MalformedIsRefused) {
  const std::string good = format_openings_file(sample_file()).value();
  const std::vector<std::string> bad = {
      "", "safehouse/openings/v3\n" + good.substr(22),
      "safehouse/openings/v1\n" + good.substr(22),  // v1 file, v2 openings
      // a v2 file holding a v1 opening
      "safehouse/openings/v2\nlog x\nsize 1\nsafehouse/opening/v1\ncase 1\nevent 1\n"
      "category a\nnonce AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
      // a v2 opening whose consent is neither yes nor no
      "safehouse/openings/v2\nlog x\nsize 1\nsafehouse/opening/v2\ncase 1\nevent 1\n"
      "category a\nnonce AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\naudit-consent maybe\n",
      good.substr(0, good.size() - 1),            // no final newline
      good.substr(0, good.rfind("nonce")),        // an opening cut short
      good + "\n",                                // a blank line after
      good + "extra\n",                           // a line that is no opening
      "safehouse/openings/v1\nlog x\nsize 07\n",  // leading zero
      "safehouse/openings/v1\nlog x\nsize -1\n",  // not a decimal
      "safehouse/openings/v1\nsize 1\nlog x\n",   // lines out of order
      "safehouse/openings/v1\nlog \nsize 1\n",    // empty origin
      "safehouse/openings/v1\nlog x\nsize 1\nsafehouse/opening/v1\ncase 1\nevent 1\n"
      "category \nnonce AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",  // empty category
      "safehouse/openings/v1\nlog x\nsize 1\nsafehouse/opening/v1\ncase 1\nevent 1\n"
      "category a\nnonce AAAA\n",  // short nonce
  };
  for (const std::string& text : bad) {
    auto parsed = parse_openings_file(text);
    EXPECT_FALSE(parsed) << text;
    if (!parsed) EXPECT_EQ(parsed.error().code(), ErrorCode::kMalformed) << text;
  }
}

}  // namespace
}  // namespace safehouse::tlog
