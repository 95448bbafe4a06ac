// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/review/audit_share_test.cpp: the share file of a sampled audit's
// bundle (review/audit_share.h): exact text, round trip, and every
// malformed line refused naming it.
#include "review/audit_share.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace safehouse::review {
namespace {

ShareFile sample() {
  ShareFile file;
  file.case_id = 12;
  file.observer = "ngo-watch";
  file.category = "army officer";
  return file;
}

TEST(ShareFile, ExactTextAndRoundTrip) {
  const std::string text = format_share_file(sample());
  EXPECT_EQ(text, "safehouse/share/v1\ncase 12\nobserver ngo-watch\ncategory army officer\n");
  EXPECT_EQ(parse_share_file(text).value(), sample());
  EXPECT_EQ(share_file_name(12), "share-12.txt");
}

TEST(ShareFile, MalformedIsRefusedNamingTheLine) {
  const std::string good = format_share_file(sample());
  const std::string head = "safehouse/share/v1\ncase 12\nobserver ngo-watch\ncategory army\n";
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"", "line 1"},
      {"safehouse/share/v2\n" + good.substr(19), "line 1"},
      {good.substr(0, good.size() - 1), "does not end with a newline"},
      {"safehouse/share/v1\ncase 012\nobserver o\ncategory a\n", "line 2"},
      {"safehouse/share/v1\ncase 0\nobserver o\ncategory a\n", "line 2"},
      {"safehouse/share/v1\ncase 1\nobserver \ncategory a\n", "line 3"},
      {"safehouse/share/v1\ncase 1\nobserver a b\ncategory a\n", "line 3"},
      {"safehouse/share/v1\ncase 1\nobserver o\ncategory \n", "line 4"},
      {"safehouse/share/v1\ncase 1\nobserver o\n", "line 4"},
      {head + "assessment 1 20261125 F6 assessment-12-1.age\n", "line 5"},  // nothing more
      {head + "\n", "line 5"},
  };
  for (const auto& [text, where] : bad) {
    auto parsed = parse_share_file(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().code(), ErrorCode::kMalformed) << text;
    EXPECT_NE(parsed.error().message().find(where), std::string::npos)
        << parsed.error().message() << " for " << text;
  }
}

}  // namespace
}  // namespace safehouse::review
