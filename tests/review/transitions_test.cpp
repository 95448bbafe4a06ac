// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/review/transitions_test.cpp: the transition table against an
// expectation written out here independently, for every (from, to) pair of
// the eleven statuses: allowed with one approval, allowed with two (and
// which), or refused with a reason that names the statuses.
#include "review/transitions.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>

namespace safehouse::review {
namespace {

using S = store::CaseStatus;

constexpr S kAll[] = {S::kReceived,  S::kTriage,       S::kVerifying,
                      S::kNeedsInfo, S::kCorroborated, S::kVerified,
                      S::kDuplicate, S::kRejected,     S::kSuspectedInfiltration,
                      S::kWithdrawn, S::kPurged};

bool is_open(S s) {
  return s == S::kReceived || s == S::kTriage || s == S::kVerifying || s == S::kNeedsInfo ||
         s == S::kCorroborated;
}
bool is_closed(S s) {
  return s == S::kVerified || s == S::kRejected || s == S::kDuplicate || s == S::kWithdrawn;
}

// How many approvals `from` → `to` needs; 0 = refused. Written from
// ARCHITECTURE.md §7 and docs/reviewing.md, not from the table.
int expected_approvals(S from, S to) {
  if (from == to || from == S::kPurged) return 0;
  const std::map<std::pair<S, S>, int> path = {
      {{S::kReceived, S::kTriage}, 1},        {{S::kTriage, S::kVerifying}, 1},
      {{S::kVerifying, S::kNeedsInfo}, 1},    {{S::kNeedsInfo, S::kVerifying}, 1},
      {{S::kVerifying, S::kCorroborated}, 1}, {{S::kCorroborated, S::kVerifying}, 1},
      {{S::kCorroborated, S::kVerified}, 2},
  };
  if (auto it = path.find({from, to}); it != path.end()) return it->second;
  if (is_open(from) && to == S::kRejected) return 2;
  if (is_open(from) && (to == S::kDuplicate || to == S::kWithdrawn)) return 1;
  if ((is_open(from) || from == S::kVerified) && to == S::kSuspectedInfiltration) return 1;
  if (from == S::kSuspectedInfiltration && (to == S::kVerifying || to == S::kRejected)) return 2;
  if (is_closed(from) && (to == S::kTriage || to == S::kPurged)) return 2;
  return 0;
}

TEST(Transitions, EveryPairMatchesTheExpectation) {
  int allowed = 0;
  for (S from : kAll) {
    for (S to : kAll) {
      SCOPED_TRACE(std::string(store::status_name(from)) + " -> " +
                   std::string(store::status_name(to)));
      const int expected = expected_approvals(from, to);
      auto rule = find_transition(from, to);
      if (expected == 0) {
        ASSERT_FALSE(rule);
        EXPECT_EQ(rule.error().code(), ErrorCode::kConflict);
        // The reason names the status the case is in.
        EXPECT_NE(rule.error().message().find(store::status_name(from)), std::string::npos)
            << rule.error().message();
        continue;
      }
      ++allowed;
      ASSERT_TRUE(rule) << rule.error().message();
      EXPECT_EQ(rule->from, from);
      EXPECT_EQ(rule->to, to);
      EXPECT_EQ(rule->approvals, expected);
      EXPECT_EQ(rule->approvals == 2, !rule->kind.empty());
      // Only verifying excludes the reviewer who recorded the decisive check.
      EXPECT_EQ(rule->checker_may_not_approve, to == S::kVerified);
    }
  }
  EXPECT_EQ(allowed, static_cast<int>(transition_table().size()));
}

TEST(Transitions, RefusalsSayWhy) {
  auto same = find_transition(S::kTriage, S::kTriage);
  ASSERT_FALSE(same);
  EXPECT_EQ(same.error().message(), "the case is already triage");
  auto purged = find_transition(S::kPurged, S::kTriage);
  ASSERT_FALSE(purged);
  EXPECT_EQ(purged.error().message(), "purged is final: the case is a tombstone");
  auto skip = find_transition(S::kReceived, S::kVerified);
  ASSERT_FALSE(skip);
  EXPECT_EQ(skip.error().message(),
            "no transition from received to verified (from received: triage, rejected, "
            "duplicate, withdrawn, suspected-infiltration)");
}

TEST(Transitions, TwoApprovalsExactlyWhereInvariantFourSaysSo) {
  for (const TransitionRule& rule : transition_table()) {
    const bool needs_two = rule.to == S::kVerified || rule.to == S::kRejected ||
                           rule.to == S::kPurged ||
                           rule.from == S::kSuspectedInfiltration ||         // clearing
                           (is_closed(rule.from) && rule.to == S::kTriage);  // reopening
    EXPECT_EQ(rule.approvals, needs_two ? 2 : 1)
        << store::status_name(rule.from) << " -> " << store::status_name(rule.to);
  }
}

}  // namespace
}  // namespace safehouse::review
