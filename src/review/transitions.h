// SPDX-License-Identifier: AGPL-3.0-or-later
// review/transitions.h: the one table of case transitions (ARCHITECTURE.md
// §7, docs/reviewing.md "Transitions"): which status may follow which, and
// how many signed approvals by different reviewers each move needs. The
// server enforces exactly this table (review/workflow.h); nothing else in
// the code decides whether a move is allowed.
#ifndef SAFEHOUSE_REVIEW_TRANSITIONS_H_
#define SAFEHOUSE_REVIEW_TRANSITIONS_H_

#include <span>
#include <string_view>

#include "base/error.h"
#include "store/types.h"

namespace safehouse::review {

// One allowed move. A plain value.
struct TransitionRule {
  store::CaseStatus from;
  store::CaseStatus to;
  int approvals;  // 1, or 2 (by two different reviewers; invariant 4)
  // Why it takes two, for messages and docs ("verifying", "reopening",
  // "clearing suspected-infiltration", …); "" for single moves.
  std::string_view kind;
  // True for → verified: the reviewer whose approval moved the case to
  // corroborated recorded its decisive check and may not approve.
  bool checker_may_not_approve;
};

// Every allowed move, in the order docs/reviewing.md lists them.
std::span<const TransitionRule> transition_table();

// The rule for `from` → `to`, or kConflict with the reason it is refused
// ("case is already verifying", "purged is final …", "no transition from
// received to verified; from received: triage, …").
Result<TransitionRule> find_transition(store::CaseStatus from, store::CaseStatus to);

}  // namespace safehouse::review

#endif  // SAFEHOUSE_REVIEW_TRANSITIONS_H_
