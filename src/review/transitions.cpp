// SPDX-License-Identifier: AGPL-3.0-or-later
// review/transitions.cpp: the transition table. Keep docs/reviewing.md
// ("Transitions") in step with it; tests/review/transitions_test.cpp spells
// out the expected result of every (from, to) pair independently.
#include "review/transitions.h"

#include <array>
#include <string>

namespace safehouse::review {
namespace {

using S = store::CaseStatus;

constexpr TransitionRule kTable[] = {
    // The main path: one reviewer each.
    {S::kReceived, S::kTriage, 1, "", false},
    {S::kTriage, S::kVerifying, 1, "", false},
    {S::kVerifying, S::kNeedsInfo, 1, "", false},
    {S::kNeedsInfo, S::kVerifying, 1, "", false},
    // Whoever makes this move records the decisive check.
    {S::kVerifying, S::kCorroborated, 1, "", false},
    {S::kCorroborated, S::kVerifying, 1, "", false},
    // Two reviewers, and not the one who recorded the check.
    {S::kCorroborated, S::kVerified, 2, "verifying", true},
    // Closing an open case (received, triage, verifying, needs-info,
    // corroborated).
    {S::kReceived, S::kRejected, 2, "rejecting", false},
    {S::kTriage, S::kRejected, 2, "rejecting", false},
    {S::kVerifying, S::kRejected, 2, "rejecting", false},
    {S::kNeedsInfo, S::kRejected, 2, "rejecting", false},
    {S::kCorroborated, S::kRejected, 2, "rejecting", false},
    {S::kReceived, S::kDuplicate, 1, "", false},
    {S::kTriage, S::kDuplicate, 1, "", false},
    {S::kVerifying, S::kDuplicate, 1, "", false},
    {S::kNeedsInfo, S::kDuplicate, 1, "", false},
    {S::kCorroborated, S::kDuplicate, 1, "", false},
    {S::kReceived, S::kWithdrawn, 1, "", false},
    {S::kTriage, S::kWithdrawn, 1, "", false},
    {S::kVerifying, S::kWithdrawn, 1, "", false},
    {S::kNeedsInfo, S::kWithdrawn, 1, "", false},
    {S::kCorroborated, S::kWithdrawn, 1, "", false},
    // Raising the flag is easy, from any open or verified case ...
    {S::kReceived, S::kSuspectedInfiltration, 1, "", false},
    {S::kTriage, S::kSuspectedInfiltration, 1, "", false},
    {S::kVerifying, S::kSuspectedInfiltration, 1, "", false},
    {S::kNeedsInfo, S::kSuspectedInfiltration, 1, "", false},
    {S::kCorroborated, S::kSuspectedInfiltration, 1, "", false},
    {S::kVerified, S::kSuspectedInfiltration, 1, "", false},
    // ... clearing it or acting on it is not.
    {S::kSuspectedInfiltration, S::kVerifying, 2, "clearing suspected-infiltration", false},
    {S::kSuspectedInfiltration, S::kRejected, 2, "rejecting", false},
    // Reopening a closed case.
    {S::kVerified, S::kTriage, 2, "reopening", false},
    {S::kRejected, S::kTriage, 2, "reopening", false},
    {S::kDuplicate, S::kTriage, 2, "reopening", false},
    {S::kWithdrawn, S::kTriage, 2, "reopening", false},
    // Purging a closed case: its items go, a tombstone stays.
    {S::kVerified, S::kPurged, 2, "purging", false},
    {S::kRejected, S::kPurged, 2, "purging", false},
    {S::kDuplicate, S::kPurged, 2, "purging", false},
    {S::kWithdrawn, S::kPurged, 2, "purging", false},
};

}  // namespace

std::span<const TransitionRule> transition_table() {
  return kTable;
}

Result<TransitionRule> find_transition(store::CaseStatus from, store::CaseStatus to) {
  const std::string from_name(store::status_name(from));
  if (from == to) return Error(ErrorCode::kConflict, "the case is already " + from_name);
  if (from == S::kPurged) {
    return Error(ErrorCode::kConflict, "purged is final: the case is a tombstone");
  }
  std::string allowed;
  for (const TransitionRule& rule : kTable) {
    if (rule.from != from) continue;
    if (rule.to == to) return rule;
    allowed += (allowed.empty() ? "" : ", ") + std::string(store::status_name(rule.to));
  }
  return Error(ErrorCode::kConflict, "no transition from " + from_name + " to " +
                                         std::string(store::status_name(to)) + " (from " +
                                         from_name + ": " + allowed + ")");
}

}  // namespace safehouse::review
