// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/tlog/statement_test.cpp: statements of figures: thresholding to
// "<10", exact text, strict parsing, signatures, and an observer's
// comparison catching a count that is off by one.
#include "tlog/statement.h"

#include <gtest/gtest.h>

#include "tlog/note_key.h"
#include "vectors.h"

namespace safehouse::tlog {
namespace {

using namespace safehouse::tlog::testing;

const Checkpoint kCheckpoint{"example.org/log", 1234, leaf_hash(bytes_of("root")), {}};

Statement sample() {
  return make_statement(kCheckpoint, "2026-01-01", "2026-03-31", 10,
                        {{"received", 120}, {"triage", 9}, {"verified", 10}},
                        {{"police", 57}, {"army officer", 3}, {"unused", 0}})
      .value();
}

TEST(Statement, ThresholdAndExactText) {
  const Statement s = sample();
  const std::string text = format_statement(s).value();
  const std::string root = base64_encode(kCheckpoint.root);
  EXPECT_EQ(text,
            "safehouse/statement/v1\nlog example.org/log\ncheckpoint 1234 " + root +
                "\nperiod 2026-01-01 2026-03-31\nthreshold 10\n"
                "status 120 received\nstatus <10 triage\nstatus <10 verifying\n"
                "status <10 needs-info\nstatus <10 corroborated\nstatus 10 verified\n"
                "status <10 duplicate\nstatus <10 rejected\nstatus <10 suspected-infiltration\n"
                "status <10 withdrawn\nstatus <10 purged\n"
                "category <10 army officer\ncategory 57 police\n");
  EXPECT_EQ(parse_statement(text).value(), s);
}

TEST(Statement, SignedAndOpened) {
  const Ed25519Signer log(Ed25519Key::generate("example.org/log"));
  const NoteSigner* signers[] = {&log};
  const std::string note = sign_note(format_statement(sample()).value(), signers).value();
  const auto verifier = log.verifier();
  EXPECT_EQ(open_statement(note, verifier).value().statement, sample());
  const Ed25519Signer other(Ed25519Key::generate("example.org/log"));
  EXPECT_EQ(open_statement(note, other.verifier()).error().code(), ErrorCode::kNoMatch);
  // A figure changed after signing.
  std::string altered = note;
  altered.replace(altered.find("status 120"), 10, "status 121");
  EXPECT_EQ(open_statement(altered, verifier).error().code(), ErrorCode::kIntegrity);
}

TEST(Statement, ObserverFindsEveryMismatch) {
  const Statement s = sample();
  Counts statuses = {{"received", 120}, {"triage", 9}, {"verified", 10}};
  Counts categories = {{"police", 57}, {"army officer", 3}};
  EXPECT_TRUE(compare_statement(s, statuses, categories).empty());
  // Below the threshold any real count under it matches "<10".
  statuses["triage"] = 0;
  EXPECT_TRUE(compare_statement(s, statuses, categories).empty());
  // Miscounted by one, above and across the threshold; an unpublished category.
  statuses["received"] = 121;
  statuses["verified"] = 9;
  categories["army officer"] = 10;
  categories["navy"] = 1;
  const auto mismatches = compare_statement(s, statuses, categories);
  EXPECT_EQ(mismatches,
            (std::vector<std::string>{"status received: published 120, recomputed 121",
                                      "status verified: published 10, recomputed 9",
                                      "category army officer: published <10, recomputed 10",
                                      "category navy: not published, recomputed 1"}));
}

TEST(Statement, MalformedStatements) {
  const std::string text = format_statement(sample()).value();
  const auto replace = [&](std::string_view from, std::string_view to) {
    std::string t = text;
    t.replace(t.find(from), from.size(), to);
    return t;
  };
  for (const std::string& bad : std::vector<std::string>{
           "", text.substr(0, text.size() - 1), text + "\n", replace("/v1", "/v2"),
           replace("log example.org/log\n", ""), replace("checkpoint 1234", "checkpoint 01234"),
           replace("period 2026-01-01 2026-03-31", "period 2026-04-01 2026-03-31"),
           replace("period 2026-01-01", "period 2026-02-30"),
           replace("threshold 10", "threshold 0"),
           replace("status 120 received", "status 9 received"),
           replace("status <10 triage", "status <9 triage"), replace("status <10 triage\n", ""),
           replace("status 10 verified", "status 10 verifiedd"),
           replace("category <10 army officer\ncategory 57 police\n",
                   "category 57 police\ncategory <10 army officer\n"),
           replace("category 57 police", "category 57 police\ncategory 57 police"),
           replace("category 57 police", "category 57"), replace("category 57", "category x"),
           replace("status 120 received", "status  120 received"),
           text + "status 120 received\n"}) {
    const auto parsed = parse_statement(bad);
    EXPECT_FALSE(parsed) << bad;
    if (!parsed) {
      EXPECT_EQ(parsed.error().code(), ErrorCode::kMalformed) << bad;
      EXPECT_TRUE(parsed.error().message().starts_with("statement: ")) << parsed.error().message();
    }
  }
  EXPECT_FALSE(make_statement(kCheckpoint, "2026-01-01", "2026-01-02", 10, {{"lost", 1}}, {}));
  EXPECT_FALSE(make_statement(kCheckpoint, "2026-01-01", "2026-01-02", 10, {}, {{"a\nb", 1}}));
}

}  // namespace
}  // namespace safehouse::tlog
