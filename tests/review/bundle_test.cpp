// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/review/bundle_test.cpp: the export bundle's manifest and case-file
// parsers (review/bundle.h): what they write they read back, and every
// malformed line is refused with its line number.
#include "review/bundle.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace safehouse::review {
namespace {

const std::string kHexA(64, 'a');
const std::string kHexB(64, 'b');

std::string good_case() {
  return "safehouse bundle case v1\n"
         "case 3\n"
         "alias amber-heron\n"
         "status verifying\n"
         "created 20261205\n"
         "last-event 20261206\n"
         "event 1 20261205 received\n"
         "event 2 20261206 verifying\n"
         "item 5 source 20261205 " +
         kHexA +
         " 1024\n"
         "item 9 reviewer 20261206 " +
         kHexB + " 2048\n";
}

TEST(BundleNames, OnlyPlainNames) {
  EXPECT_TRUE(is_bundle_file_name("item-5.age"));
  EXPECT_TRUE(is_bundle_file_name("case-12.txt"));
  for (const char* bad : {"", ".", "..", ".hidden", "-dash", "a/b", "../x", "Item-5.age", "item 5",
                          "item\n", "/etc/passwd", "a\\b"}) {
    EXPECT_FALSE(is_bundle_file_name(bad)) << bad;
  }
  EXPECT_FALSE(is_bundle_file_name(std::string(kMaxBundleNameBytes + 1, 'a')));
  EXPECT_EQ(bundle_item_name(5), "item-5.age");
  EXPECT_EQ(bundle_case_name(12), "case-12.txt");
}

TEST(BundleManifest, RoundTrip) {
  const std::string text = kHexA + "  case-3.txt\n" + kHexB + "  item-5.age\n";
  auto parsed = parse_manifest(text);
  ASSERT_TRUE(parsed) << parsed.error().message();
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[0].name, "case-3.txt");
  EXPECT_EQ((*parsed)[1].sha256[0], 0xbb);
  EXPECT_EQ(format_manifest(*parsed), text);
}

TEST(BundleManifest, MalformedRefusedWithLine) {
  const std::string line1 = kHexA + "  case-3.txt\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "empty"},
      {line1 + kHexB + "  item-5.age", "line 2 does not end with a newline"},
      {kHexA + " case-3.txt\n", "line 1"},                   // one space
      {kHexA + "  \n", "line 1"},                            // no name
      {std::string(64, 'A') + "  case-3.txt\n", "line 1"},   // upper-case hex
      {std::string(63, 'a') + "   case-3.txt\n", "line 1"},  // short digest
      {std::string(64, 'g') + "  case-3.txt\n", "line 1"},   // not hex
      {line1 + kHexB + "  ../etc/passwd\n", "line 2: not a bundle file name"},
      {line1 + kHexB + "  /etc/passwd\n", "line 2: not a bundle file name"},
      {line1 + kHexB + "  .hidden\n", "line 2: not a bundle file name"},
      {line1 + kHexB + "  item-5.age \n", "line 2: not a bundle file name"},
      {line1 + kHexB + "  case-3.txt\n", "line 2: case-3.txt is listed twice"},
      {kHexA + "  manifest.txt\n", "line 1: lists the manifest itself"},
      {line1 + "\n", "line 2"},
      {line1 + kHexB + "  item-5.age\r\n", "line 2"},
  };
  for (const auto& [text, why] : cases) {
    auto parsed = parse_manifest(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().code(), ErrorCode::kMalformed) << text;
    EXPECT_NE(parsed.error().message().find(why), std::string::npos)
        << parsed.error().message() << " lacks " << why;
  }
  auto huge = parse_manifest(std::string(kMaxManifestBytes + 1, 'a'));
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().code(), ErrorCode::kTooLarge);
}

TEST(BundleCaseFile, RoundTrip) {
  auto parsed = parse_case_file(good_case());
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->record.case_id, 3);
  EXPECT_EQ(parsed->alias, "amber-heron");
  EXPECT_EQ(parsed->record.status, store::CaseStatus::kVerifying);
  EXPECT_EQ(parsed->record.created_day, 20261205);
  EXPECT_EQ(parsed->record.last_event_day, 20261206);
  ASSERT_EQ(parsed->events.size(), 2u);
  EXPECT_EQ(parsed->events[1].status, store::CaseStatus::kVerifying);
  ASSERT_EQ(parsed->items.size(), 2u);
  EXPECT_EQ(parsed->items[1].item_id, 9);
  EXPECT_EQ(parsed->items[1].direction, store::Direction::kReviewer);
  EXPECT_EQ(parsed->items[1].ciphertext_size, 2048u);
  EXPECT_EQ(parsed->items[0].case_id, 3);
  EXPECT_EQ(parsed->record.item_count, 2);
  EXPECT_EQ(format_case_file(*parsed), good_case());
}

// good_case() with line `n` (1-based) replaced by `line` ("" deletes it).
std::string with_line(int n, const std::string& line) {
  std::string text = good_case();
  std::size_t start = 0;
  for (int i = 1; i < n; ++i) start = text.find('\n', start) + 1;
  const std::size_t end = text.find('\n', start) + 1;
  return text.substr(0, start) + (line.empty() ? "" : line + "\n") + text.substr(end);
}

TEST(BundleCaseFile, MalformedRefusedWithLine) {
  const std::vector<std::tuple<int, std::string, std::string>> cases = {
      {1, "safehouse bundle case v2", "line 1"},  // v2 with nothing v1 lacks
      {1, "safehouse bundle case v3", "line 1"},
      {2, "case 0", "line 2"},
      {2, "case 03", "line 2"},
      {2, "case -3", "line 2"},
      {2, "case 3 4", "line 2"},
      {2, "case 99999999999999999999", "line 2"},
      {3, "alias Amber", "line 3"},
      {3, "alias amber heron", "line 3"},
      {3, "alias \x1b[31m", "line 3"},
      {4, "status approved", "line 4"},
      {4, "status", "line 4"},
      {5, "created 2026125", "line 5"},
      {5, "created 20261305", "line 5"},
      {5, "created 20261200", "line 5"},
      {6, "", "line 6"},
      {7, "event 2 20261205 received", "line 7: events must be numbered"},
      {8, "event 2 20261206 approved", "line 8"},
      {8, "event 2 20261206", "line 8"},
      {9, "item 5 sideways 20261205 " + kHexA + " 1024", "line 9"},
      {9, "item 5 source 20261205 " + kHexA + " 0", "line 9"},
      {9, "item 5 source 20261205 " + kHexA.substr(1) + " 1024", "line 9"},
      {9, "item 5 source 20261205 " + kHexA + " 1024 extra", "line 9"},
      {9, "item 5 source 20261205  " + kHexA + " 1024", "line 9"},
      {10, "item 5 reviewer 20261206 " + kHexB + " 2048", "line 10: items must be in ascending"},
      {10, "event 3 20261206 verified", "line 10"},  // events after items
      {10, "", ""},                                  // a valid file with one item: checked below
  };
  for (const auto& [n, line, why] : cases) {
    const std::string text = with_line(n, line);
    auto parsed = parse_case_file(text);
    if (why.empty()) {
      EXPECT_TRUE(parsed) << text;
      continue;
    }
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().code(), ErrorCode::kMalformed) << text;
    EXPECT_NE(parsed.error().message().find(why), std::string::npos)
        << parsed.error().message() << " lacks " << why;
  }
  auto unterminated = parse_case_file(good_case().substr(0, good_case().size() - 1));
  ASSERT_FALSE(unterminated);
  EXPECT_NE(unterminated.error().message().find("does not end with a newline"), std::string::npos);
  EXPECT_FALSE(parse_case_file(""));
  EXPECT_FALSE(parse_case_file(std::string(kMaxCaseFileBytes + 1, 'x')));
}

// Version 2: a case with assessment versions and publication copies.
std::string good_case_v2() {
  std::string text = good_case();
  text.replace(0, std::string("safehouse bundle case v1").size(), "safehouse bundle case v2");
  return text + "assessment 1 20261205 F6 " + kHexA + " 300\n" + "assessment 2 20261206 B2 " +
         kHexB + " 410\n" + "copy 4 5 20261206 " + kHexB + " 4096\n";
}

TEST(BundleCaseFile, VersionTwoCarriesAssessmentsAndCopies) {
  auto parsed = parse_case_file(good_case_v2());
  ASSERT_TRUE(parsed) << parsed.error().message();
  ASSERT_EQ(parsed->assessments.size(), 2u);
  EXPECT_EQ(parsed->assessments[1].version, 2);
  EXPECT_EQ(parsed->assessments[1].reliability, 'B');
  EXPECT_EQ(parsed->assessments[1].credibility, 2);
  EXPECT_EQ(parsed->assessments[1].size, 410u);
  ASSERT_EQ(parsed->copies.size(), 1u);
  EXPECT_EQ(parsed->copies[0].copy_id, 4);
  EXPECT_EQ(parsed->copies[0].item_id, 5);
  EXPECT_EQ(parsed->copies[0].case_id, 3);
  EXPECT_EQ(parsed->copies[0].body.size, 4096u);
  EXPECT_EQ(format_case_file(*parsed), good_case_v2());
  // Without them it is written as v1 again, which older readers know.
  parsed->assessments.clear();
  parsed->copies.clear();
  EXPECT_EQ(format_case_file(*parsed), good_case());
}

TEST(BundleCaseFile, VersionTwoMalformedRefusedWithLine) {
  const std::string v1_header = "safehouse bundle case v1";
  const std::string assessment = "assessment 1 20261205 F6 " + kHexA + " 300\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      // An assessment in a v1 file.
      {good_case() + assessment, "line 11"},
      {"safehouse bundle case v2" + good_case().substr(v1_header.size()), "line 1: v2"},
      {good_case_v2() + "item 10 source 20261206 " + kHexA + " 1\n", "line 14"},
      {good_case_v2() + assessment, "line 14"},  // after the copies
      {good_case_v2() + "copy 4 5 20261206 " + kHexB + " 4096\n", "line 14: copies must be"},
      {good_case_v2() + "copy 7 6 20261206 " + kHexB + " 4096\n", "line 14: a copy of an item"},
      {good_case_v2() + "copy 7 5 20261206 " + kHexB + " 0\n", "line 14"},
  };
  for (const auto& [text, why] : cases) {
    auto parsed = parse_case_file(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().code(), ErrorCode::kMalformed) << text;
    EXPECT_NE(parsed.error().message().find(why), std::string::npos)
        << parsed.error().message() << " lacks " << why;
  }
  // Each assessment line in turn: bad grade, version order, fields.
  for (const std::string& line :
       {"assessment 1 20261205 G6 " + kHexA + " 300", "assessment 1 20261205 F7 " + kHexA + " 300",
        "assessment 1 20261205 f6 " + kHexA + " 300", "assessment 2 20261205 F6 " + kHexA + " 300",
        "assessment 1 20261205 F6 " + kHexA, "assessment 1 2026120 F6 " + kHexA + " 300"}) {
    std::string text = good_case_v2();
    const std::size_t start = text.find("assessment 1 ");
    text.replace(start, text.find('\n', start) - start, line);
    auto parsed = parse_case_file(text);
    ASSERT_FALSE(parsed) << line;
    EXPECT_NE(parsed.error().message().find("line 11"), std::string::npos)
        << parsed.error().message();
  }
}

}  // namespace
}  // namespace safehouse::review
