// SPDX-License-Identifier: AGPL-3.0-or-later
// review/workflow.h: the verification workflow (ARCHITECTURE.md §7,
// invariant 4): reviewers and their public keys, and moving cases through
// the transition table (review/transitions.h) with signed approvals. Every
// action — and every refusal — is appended to the audit log in the same
// transaction as its effect (review/audit.h). docs/reviewing.md.
#ifndef SAFEHOUSE_REVIEW_WORKFLOW_H_
#define SAFEHOUSE_REVIEW_WORKFLOW_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "review/reviewer_keys.h"
#include "store/store.h"
#include "store/workflow_records.h"

namespace safehouse::review {

// An approval as a client hands it in: who signed (by public key), what,
// and the signature over approval_message() of those fields.
struct SignedApproval {
  store::SigningKey signing_key{};
  store::CaseId case_id = 0;
  std::int64_t event_number = 0;
  store::CaseStatus from = store::CaseStatus::kReceived;
  store::CaseStatus to = store::CaseStatus::kReceived;
  store::Signature signature{};
};

struct TransitionOutcome {
  store::CaseStatus from = store::CaseStatus::kReceived;
  store::CaseStatus to = store::CaseStatus::kReceived;
  int approvals = 0;  // distinct reviewers who approved, this one included
  int needed = 1;
  bool moved = false;             // the case is now `to`
  std::int64_t event_number = 0;  // the case's event number afterwards
  std::size_t blobs_removed = 0;  // purge
};

// Thread-compatible; the store does the locking.
class Workflow {
 public:
  // `installation` names the installation in every approval (its log
  // verifier key); `today` gives the UTC day.
  Workflow(store::Store& store, std::string installation, std::function<store::Day()> today)
      : store_(store), installation_(std::move(installation)), today_(std::move(today)) {}

  // Registers a reviewer's public keys; `actor` is who did it, for the log.
  Result<store::ReviewerRecord> add_reviewer(std::string_view name, const ReviewerKeys& keys,
                                             std::string_view actor);
  // Removes an active reviewer: their approvals are refused from now on.
  Result<void> remove_reviewer(std::string_view name, std::string_view actor);
  Result<std::vector<store::ReviewerRecord>> reviewers();
  // The registered reviewer among `keys` (by signing key); kNotFound if none.
  Result<store::ReviewerRecord> reviewer_of(const std::vector<ReviewerKeys>& keys);

  // What a reviewer holding `keys` signs to move `case_id` to `to` now.
  Result<SignedApproval> sign(const ReviewerKeys& keys, store::CaseId case_id,
                              store::CaseStatus to);
  // Checks and records `approval`; moves the case once the table's number
  // of different reviewers approved. Refusals (kConflict, kIntegrity,
  // kNotFound) say why and are logged too. With `duplicate_of` (only for a
  // move to duplicate) the move also records the link to that case, which
  // must exist, be another case and be no duplicate or tombstone itself.
  Result<TransitionOutcome> submit(const SignedApproval& approval,
                                   std::optional<store::CaseId> duplicate_of = {});
  // sign() and submit().
  Result<TransitionOutcome> transition(const ReviewerKeys& keys, store::CaseId case_id,
                                       store::CaseStatus to,
                                       std::optional<store::CaseId> duplicate_of = {});

  // Logs a reviewer action that changes nothing here (read, reply).
  Result<void> log(std::string_view actor, std::string_view action, store::CaseId case_id,
                   std::string_view detail = {});

  // Files the case under `category`, one of `taxonomy` (config [log]
  // categories); logged as "categorise". The case's next events in the
  // transparency log commit to it (review/log_publisher.h).
  Result<void> categorise(store::CaseId case_id, std::string_view category,
                          const std::vector<std::string>& taxonomy, std::string_view actor);

  // Records version N+1 of the case's assessment for the active reviewer
  // `name`: `sealed` is the whole record as the browser sealed it (age, to
  // the reviewers; opaque here), `reliability` A-F and `credibility` 1-6
  // its grade in clear, and `category` (one of `taxonomy`, or "" to leave
  // it) files the case. One transaction with its audit entry ("assess");
  // kNotFound (no such reviewer or case), kConflict (removed reviewer,
  // purged case), kInvalidArgument (grade, category). Returns the version.
  Result<std::int64_t> assess(store::CaseId case_id, std::string_view name, char reliability,
                              int credibility, std::string_view category,
                              const std::vector<std::string>& taxonomy, Bytes sealed);

  const std::string& installation() const { return installation_; }

 private:
  Result<void> check_approval(store::SqlSession& db, const SignedApproval& approval,
                              const store::ReviewerRecord& reviewer, TransitionOutcome& out);
  Result<void> check_duplicate_of(store::SqlSession& db, const SignedApproval& approval,
                                  store::CaseId original);

  store::Store& store_;
  std::string installation_;
  std::function<store::Day()> today_;
};

// The actor name for the audit log of a holder of `keys` (the reviewer's
// name, or "unregistered age1…").
std::string actor_name(Workflow& workflow, const std::vector<ReviewerKeys>& keys);

}  // namespace safehouse::review

#endif  // SAFEHOUSE_REVIEW_WORKFLOW_H_
