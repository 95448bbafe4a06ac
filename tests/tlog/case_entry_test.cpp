// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/tlog/case_entry_test.cpp: the case-event entry and the category
// commitment: exact bytes, strict parsing, and openings that must open only
// their own commitment.
#include "tlog/case_entry.h"

#include <gtest/gtest.h>

#include "crypto/sha256.h"
#include "vectors.h"

namespace safehouse::tlog {
namespace {

using namespace safehouse::tlog::testing;

CaseEvent sample(const CategoryOpening& opening) {
  return CaseEvent{opening.case_id, opening.event, "2026-03-01", "triage",
                   category_commitment(opening.category, opening.nonce)};
}

TEST(CaseEntry, CommitmentIsTheDocumentedHash) {
  CategoryNonce nonce{};
  nonce.fill(0xab);
  std::string preimage = "safehouse/category/v1\narmy-officer\n";
  preimage.append(nonce.begin(), nonce.end());
  EXPECT_EQ(category_commitment("army-officer", nonce), crypto::sha256(bytes_of(preimage)));
  EXPECT_NE(category_commitment("army-officer", nonce),
            category_commitment("army-officer ", nonce));
}

TEST(CaseEntry, EncodingIsExactAndRoundTrips) {
  CategoryNonce nonce{};
  const CaseEvent event{"c-42", 3, "2026-02-28", "needs-info",
                        category_commitment("police", nonce)};
  const Bytes entry = encode_case_event(event).value();
  const std::string expected =
      "safehouse/case-event/v1\ncase c-42\nevent 3\nday 2026-02-28\n"
      "status needs-info\ncategory " +
      base64_encode(event.commitment) + "\n";
  EXPECT_EQ(std::string(entry.begin(), entry.end()), expected);
  EXPECT_EQ(parse_case_event(entry).value(), event);
}

TEST(CaseEntry, MalformedEntriesAreRefused) {
  CategoryNonce nonce{};
  const CaseEvent good{"c1", 1, "2024-02-29", "received", category_commitment("x", nonce)};
  const std::string text = [&] {
    const Bytes b = encode_case_event(good).value();
    return std::string(b.begin(), b.end());
  }();
  ASSERT_TRUE(parse_case_event(bytes_of(text)));
  const auto replace = [&](std::string_view from, std::string_view to) {
    std::string t = text;
    t.replace(t.find(from), from.size(), to);
    return t;
  };
  for (const std::string& bad :
       std::vector<std::string>{std::string(""),
                                text.substr(0, text.size() - 1),
                                text + "\n",
                                text + "extra 1\n",
                                replace("safehouse/case-event/v1", "safehouse/case-event/v2"),
                                replace("case c1", "case c 1"),
                                replace("case c1", "case "),
                                replace("case c1", "case c/1"),
                                replace("event 1", "event 01"),
                                replace("event 1", "event -1"),
                                replace("event 1\n", ""),
                                replace("2024-02-29", "2023-02-29"),
                                replace("2024-02-29", "2024-13-01"),
                                replace("2024-02-29", "2024-2-29"),
                                replace("2024-02-29", "2024-02-29T10:00"),
                                replace("received", "lost"),
                                replace("received", "Received"),
                                replace("category ", "category x"),
                                replace("status received\ncategory", "category"),
                                replace("day 2024", "day  2024")}) {
    const auto parsed = parse_case_event(bytes_of(bad));
    EXPECT_FALSE(parsed) << bad;
    if (!parsed) EXPECT_TRUE(parsed.error().message().starts_with("case event: ")) << bad;
  }
  CaseEvent long_id = good;
  long_id.case_id = std::string(65, 'a');
  EXPECT_FALSE(encode_case_event(long_id));
}

TEST(CaseEntry, OpeningsOpenOnlyTheirCommitment) {
  const CategoryOpening opening = make_opening("c-7", 2, "intelligence officer");
  const CaseEvent event = sample(opening);
  EXPECT_TRUE(verify_opening(event, opening));
  const std::string text = encode_opening(opening).value();
  const CategoryOpening parsed = parse_opening(text).value();
  EXPECT_EQ(parsed.category, opening.category);
  EXPECT_EQ(parsed.nonce, opening.nonce);
  EXPECT_TRUE(verify_opening(event, parsed));

  // Another category with the same nonce: the tampering an observer catches.
  CategoryOpening other = opening;
  other.category = "police officer";
  auto result = verify_opening(event, other);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code(), ErrorCode::kIntegrity);
  EXPECT_EQ(result.error().message(),
            "opening: category and nonce do not open the entry's commitment");
  // Another nonce.
  other = opening;
  other.nonce[0] ^= 1;
  EXPECT_EQ(verify_opening(event, other).error().code(), ErrorCode::kIntegrity);
  // An opening for another event.
  other = opening;
  other.event = 3;
  EXPECT_EQ(verify_opening(event, other).error().code(), ErrorCode::kNoMatch);
  // Nonces are fresh: the same category commits differently each time.
  EXPECT_NE(make_opening("c-7", 2, "intelligence officer").nonce, opening.nonce);

  for (const std::string& bad : std::vector<std::string>{
           text.substr(0, text.size() - 1), "safehouse/opening/v3" + text.substr(20),
           std::string("safehouse/opening/v1\ncase c\nevent 1\ncategory \nnonce AAAA\n")}) {
    EXPECT_FALSE(parse_opening(bad)) << bad;
  }
  EXPECT_FALSE(check_category(std::string(129, 'a')));
  EXPECT_FALSE(check_category("line\nbreak"));
  EXPECT_TRUE(check_category("افسر ارتش"));
}

// Version 2 openings say whether the case's source consented to a sampled
// audit; version 1 ones are still read, as no consent.
TEST(CaseEntry, OpeningsCarryTheAuditConsent) {
  CategoryOpening opening = make_opening("12", 1, "police", true);
  opening.nonce.fill(0);
  const std::string yes = encode_opening(opening).value();
  EXPECT_EQ(yes,
            "safehouse/opening/v2\ncase 12\nevent 1\ncategory police\n"
            "nonce AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\naudit-consent yes\n");
  unsigned version = 0;
  EXPECT_EQ(parse_opening(yes, &version).value(), opening);
  EXPECT_EQ(version, 2u);
  opening.audit_consent = false;
  const std::string no = encode_opening(opening).value();
  EXPECT_TRUE(no.ends_with("\naudit-consent no\n")) << no;
  EXPECT_FALSE(parse_opening(no).value().audit_consent);

  // Version 1: no consent line, read as no consent; cannot say yes.
  const std::string v1 = encode_opening(opening, 1).value();
  EXPECT_EQ(v1,
            "safehouse/opening/v1\ncase 12\nevent 1\ncategory police\n"
            "nonce AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n");
  EXPECT_EQ(parse_opening(v1, &version).value(), opening);
  EXPECT_EQ(version, 1u);
  opening.audit_consent = true;
  EXPECT_EQ(encode_opening(opening, 1).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(encode_opening(opening, 3));

  const std::string head = yes.substr(0, yes.find("audit-consent"));
  for (const std::string& bad : std::vector<std::string>{
           head,                                     // v2 without the consent line
           head + "audit-consent Yes\n",             // not lower case
           head + "audit-consent 1\n",               // not a word
           head + "audit-consent \n",                // empty
           head + "audit-consent yes \n",            // trailing space
           head + "audit-consent yes\nextra\n",      // a line after
           head + "consent yes\n",                   // another key
           "safehouse/opening/v1" + yes.substr(20),  // v1 with a consent line
       }) {
    auto parsed = parse_opening(bad);
    EXPECT_FALSE(parsed) << bad;
    if (!parsed) EXPECT_EQ(parsed.error().code(), ErrorCode::kMalformed) << bad;
  }
  EXPECT_EQ(parse_opening(head + "audit-consent maybe\n").error().message(),
            "opening: audit-consent is neither yes nor no");
}

TEST(CaseEntry, StatusesAreTheArchitecturesList) {
  EXPECT_EQ(case_statuses().size(), 11u);
  EXPECT_TRUE(is_case_status("suspected-infiltration"));
  EXPECT_FALSE(is_case_status(""));
}

}  // namespace
}  // namespace safehouse::tlog
