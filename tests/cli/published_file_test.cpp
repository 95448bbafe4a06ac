// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/cli/published_file_test.cpp: the published-file entry and FILE.sig
// text (cli/published_file.h): round trips, one spelling only, and clear
// errors for malformed text.
#include "cli/published_file.h"

#include <gtest/gtest.h>

#include "base/byte_stream.h"

namespace safehouse::cli {
namespace {

PublishedFile sample() {
  PublishedFile file;
  file.sha256 = crypto::sha256(safehouse::as_bytes("We never ask for your name.\n"));
  file.language = "fa";
  file.day = "2026-12-04";
  return file;
}

TEST(PublishedFile, EntryRoundTripsInItsOneSpelling) {
  auto text = format_published_file(sample());
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, "safehouse/published-file/v1\nsha256 " + hex(sample().sha256) +
                       "\nlanguage fa\nday 2026-12-04\n");
  auto parsed = parse_published_file(*text);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(*parsed, sample());
}

TEST(PublishedFile, ReceiptRoundTrips) {
  PublishedFileReceipt receipt{sample(), "example-org/c74f20a3/log", 41,
                               "example-org+c74f20a3+AdVWphGuRw2Hi2J+UgHUNw/Lv7NfGRn4inX7BZwemlyc"};
  auto text = format_receipt(receipt);
  ASSERT_TRUE(text);
  EXPECT_TRUE(text->ends_with("\nlog example-org/c74f20a3/log\nindex 41\nkey " +
                              receipt.verifier_key + "\n"));
  auto parsed = parse_receipt(*text);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(*parsed, receipt);
  // A receipt is not an entry, nor an entry a receipt.
  EXPECT_FALSE(parse_published_file(*text));
  EXPECT_FALSE(parse_receipt(*format_published_file(sample())));
}

TEST(PublishedFile, RefusesBadFieldsWhenFormatting) {
  PublishedFile file = sample();
  file.language = "de";
  EXPECT_FALSE(format_published_file(file));
  file = sample();
  file.day = "2026-02-30";
  EXPECT_FALSE(format_published_file(file));
  PublishedFileReceipt receipt{sample(), "a\nb", 0, "k"};
  EXPECT_FALSE(format_receipt(receipt));
}

TEST(PublishedFile, MalformedEntriesSayWhatIsWrong) {
  const std::string good = *format_published_file(sample());
  const std::string hash = hex(sample().sha256);
  struct Case {
    std::string text, error;
  };
  const Case cases[] = {
      {"", "not a published-file entry"},
      {"safehouse/case-event/v1\n", "not a published-file entry"},
      {"safehouse/published-file/v1\nsha256 " + hash.substr(1) + "\nlanguage fa\nday 2026-12-04\n",
       "sha256 is not 64 lower-case hex digits"},
      {"safehouse/published-file/v1\nsha256 " + std::string(64, 'A') +
           "\nlanguage fa\nday 2026-12-04\n",
       "sha256 is not"},
      {"safehouse/published-file/v1\nsha256  " + hash + "\nlanguage fa\nday 2026-12-04\n",
       "sha256 is not"},
      {"safehouse/published-file/v1\nsha256 " + hash + "\nlanguage FA\nday 2026-12-04\n",
       "language is not en or fa"},
      {"safehouse/published-file/v1\nsha256 " + hash + "\nday 2026-12-04\nlanguage fa\n",
       "language is not en or fa"},
      {"safehouse/published-file/v1\nsha256 " + hash + "\nlanguage fa\nday 2026-13-01\n",
       "day is not a calendar day"},
      {"safehouse/published-file/v1\nsha256 " + hash + "\nlanguage fa\nday 2026-12-04",
       "day is not a calendar day"},
      {good + "\n", "text after the day line"},
      {good + "extra 1\n", "text after the day line"},
  };
  for (const Case& c : cases) {
    auto parsed = parse_published_file(c.text);
    ASSERT_FALSE(parsed) << c.text;
    EXPECT_EQ(parsed.error().code(), ErrorCode::kMalformed);
    EXPECT_NE(parsed.error().message().find(c.error), std::string::npos)
        << parsed.error().message();
  }
  const std::string receipt_cases[] = {
      good + "log x\nindex 01\nkey k\n", good + "log x\nindex -1\nkey k\n",
      good + "log \nindex 1\nkey k\n",   good + "log x\nindex 1\n",
      good + "log x\nindex 1\nkey k\nmore\n", good + "index 1\nlog x\nkey k\n",
  };
  for (const std::string& text : receipt_cases) {
    auto parsed = parse_receipt(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().code(), ErrorCode::kMalformed);
  }
}

}  // namespace
}  // namespace safehouse::cli
