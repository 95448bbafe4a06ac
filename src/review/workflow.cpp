// SPDX-License-Identifier: AGPL-3.0-or-later
// review/workflow.cpp: reviewers, approvals and transitions, each checked
// and written in one transaction together with its audit entry.
#include "review/workflow.h"

#include <algorithm>

#include "review/audit.h"
#include "review/recipients.h"
#include "review/transitions.h"
#include "store/grant_records.h"
#include "store/log_records.h"
#include "store/publication_copy_records.h"
#include "store/staff_records.h"

namespace safehouse::review {
namespace {

// Errors that are a verdict on the request (logged as refusals), as opposed
// to a failing database.
bool is_refusal(ErrorCode code) {
  return code == ErrorCode::kConflict || code == ErrorCode::kIntegrity ||
         code == ErrorCode::kNotFound || code == ErrorCode::kInvalidArgument;
}

std::string name_of(store::CaseStatus status) {
  return std::string(store::status_name(status));
}

std::string day_text(store::Day day) {
  const std::string digits = std::to_string(day);
  if (digits.size() != 8) return digits;
  return digits.substr(0, 4) + "-" + digits.substr(4, 2) + "-" + digits.substr(6, 2);
}

}  // namespace

Result<store::ReviewerRecord> Workflow::add_reviewer(std::string_view name,
                                                     const ReviewerKeys& keys,
                                                     std::string_view actor) {
  SAFEHOUSE_TRY_VOID(check_reviewer_name(name));
  store::ReviewerRecord record;
  record.name = std::string(name);
  record.recipient = keys.recipient();
  record.signing_key = keys.signing_key();
  record.added_day = today_();
  auto committed = commit_under_audit_lock(store_, [&](store::SqlSession& db) -> Result<void> {
    record.reviewer_id = SAFEHOUSE_TRY(store::insert_reviewer(db, record));
    return append_audit(
        db, {std::string(actor), "reviewer-add", 0, record.name + " " + record.recipient},
        record.added_day);
  });
  if (!committed) return committed.error().with_context("reviewer add");
  return record;
}

Result<void> Workflow::remove_reviewer(std::string_view name, std::string_view actor) {
  const store::Day day = today_();
  auto committed = commit_under_audit_lock(store_, [&](store::SqlSession& db) -> Result<void> {
    SAFEHOUSE_TRY_VOID(store::mark_reviewer_removed(db, name, day));
    SAFEHOUSE_TRY_VOID(
        append_audit(db, {std::string(actor), "reviewer-remove", 0, std::string(name)}, day));
    // New submissions are no longer encrypted to them (review/recipients.h).
    auto removed = SAFEHOUSE_TRY(store::find_reviewer_by_name(db, name));
    if (!removed) return {};
    return drop_reviewer_recipient(db, *removed, actor, day);
  });
  if (!committed) return committed.error().with_context("reviewer remove");
  return {};
}

Result<std::vector<store::ReviewerRecord>> Workflow::reviewers() {
  std::vector<store::ReviewerRecord> out;
  SAFEHOUSE_TRY_VOID(store_.read([&](store::SqlSession& db) -> Result<void> {
    out = SAFEHOUSE_TRY(store::list_reviewers(db));
    return {};
  }));
  return out;
}

Result<store::ReviewerRecord> Workflow::reviewer_of(const std::vector<ReviewerKeys>& keys) {
  std::optional<store::ReviewerRecord> found;
  SAFEHOUSE_TRY_VOID(store_.read([&](store::SqlSession& db) -> Result<void> {
    found.reset();
    for (const ReviewerKeys& key : keys) {
      found = SAFEHOUSE_TRY(store::find_reviewer_by_key(db, key.signing_key()));
      if (found) break;
    }
    return {};
  }));
  if (!found) {
    return Error(ErrorCode::kNotFound,
                 "no identity in the file is a registered reviewer (see `safehouse reviewer "
                 "list`)");
  }
  return *found;
}

Result<SignedApproval> Workflow::sign(const ReviewerKeys& keys, store::CaseId case_id,
                                      store::CaseStatus to) {
  store::CaseEventRecord current;
  SAFEHOUSE_TRY_VOID(store_.read([&](store::SqlSession& db) -> Result<void> {
    current = SAFEHOUSE_TRY(store::current_case_event(db, case_id));
    return {};
  }));
  SignedApproval approval;
  approval.signing_key = keys.signing_key();
  approval.case_id = case_id;
  approval.event_number = current.event_number;
  approval.from = current.status;
  approval.to = to;
  const std::string message =
      approval_message({installation_, case_id, current.event_number, current.status, to});
  approval.signature = keys.sign(as_bytes(message));
  return approval;
}

Result<void> Workflow::check_duplicate_of(store::SqlSession& db, const SignedApproval& approval,
                                          store::CaseId original) {
  if (approval.to != store::CaseStatus::kDuplicate) {
    return Error(ErrorCode::kInvalidArgument,
                 "--of names the case a duplicate belongs to; it goes only with duplicate");
  }
  if (original == approval.case_id) {
    return Error(ErrorCode::kConflict, "a case cannot be a duplicate of itself");
  }
  auto other = store::current_case_event(db, original);
  if (!other) {
    return Error(ErrorCode::kNotFound,
                 "--of " + std::to_string(original) + ": there is no such case");
  }
  if (other->status == store::CaseStatus::kPurged) {
    return Error(ErrorCode::kConflict, "case " + std::to_string(original) +
                                           " is purged: a tombstone cannot be the original");
  }
  if (other->status == store::CaseStatus::kDuplicate) {
    const auto link = SAFEHOUSE_TRY(store::find_case_link(db, original));
    return Error(
        ErrorCode::kConflict,
        "case " + std::to_string(original) + " is itself a duplicate" +
            (link ? " of case " + std::to_string(link->duplicate_of) + "; link to that" : ""));
  }
  return {};
}

Result<void> Workflow::check_approval(store::SqlSession& db, const SignedApproval& approval,
                                      const store::ReviewerRecord& reviewer,
                                      TransitionOutcome& out) {
  const store::CaseEventRecord current =
      SAFEHOUSE_TRY(store::current_case_event(db, approval.case_id));
  const ApprovalSubject subject{installation_, approval.case_id, approval.event_number,
                                approval.from, approval.to};
  if (!verify_approval(approval.signing_key, subject, approval.signature)) {
    return Error(ErrorCode::kIntegrity,
                 "the signature does not verify (forged, or made for another case, status or "
                 "installation)");
  }
  if (approval.event_number != current.event_number || approval.from != current.status) {
    return Error(ErrorCode::kConflict,
                 "stale approval: signed at event " + std::to_string(approval.event_number) + " (" +
                     name_of(approval.from) + "), the case is at event " +
                     std::to_string(current.event_number) + " (" + name_of(current.status) +
                     "): a replayed or outdated approval");
  }
  const TransitionRule rule = SAFEHOUSE_TRY(find_transition(current.status, approval.to));
  if (rule.checker_may_not_approve) {
    const auto check = SAFEHOUSE_TRY(
        store::last_approval_to(db, approval.case_id, store::CaseStatus::kCorroborated));
    if (check && check->reviewer_id == reviewer.reviewer_id) {
      return Error(ErrorCode::kConflict,
                   "reviewer " + reviewer.name +
                       " moved the case to corroborated, recording its decisive check, and "
                       "cannot approve " +
                       name_of(approval.to));
    }
  }
  const auto existing = SAFEHOUSE_TRY(
      store::list_approvals(db, approval.case_id, approval.event_number, approval.to));
  for (const store::ApprovalRecord& earlier : existing) {
    if (earlier.reviewer_id == reviewer.reviewer_id) {
      return Error(ErrorCode::kConflict,
                   "reviewer " + reviewer.name + " has already approved " +
                       name_of(current.status) + " -> " + name_of(approval.to) + " (" +
                       std::to_string(existing.size()) + " of " + std::to_string(rule.approvals) +
                       " approvals; the same reviewer counts once)");
    }
  }
  out.from = current.status;
  out.to = approval.to;
  out.needed = rule.approvals;
  out.approvals = static_cast<int>(existing.size()) + 1;
  out.event_number = current.event_number;
  return {};
}

Result<TransitionOutcome> Workflow::submit(const SignedApproval& approval,
                                           std::optional<store::CaseId> duplicate_of) {
  const store::Day day = today_();
  TransitionOutcome out;
  std::string actor = "unknown signer";
  std::vector<store::Sha256> unreferenced;
  auto committed = commit_under_audit_lock(store_, [&](store::SqlSession& db) -> Result<void> {
    out = TransitionOutcome{};
    unreferenced.clear();
    const auto reviewer = SAFEHOUSE_TRY(store::find_reviewer_by_key(db, approval.signing_key));
    if (!reviewer) return Error(ErrorCode::kNotFound, "the signing key is no reviewer's");
    actor = reviewer->name;
    if (!reviewer->active()) {
      return Error(ErrorCode::kConflict, "reviewer " + reviewer->name + " was removed on " +
                                             day_text(reviewer->removed_day) +
                                             "; their approvals are refused");
    }
    SAFEHOUSE_TRY_VOID(check_approval(db, approval, *reviewer, out));
    if (duplicate_of) SAFEHOUSE_TRY_VOID(check_duplicate_of(db, approval, *duplicate_of));
    SAFEHOUSE_TRY_VOID(
        store::insert_approval(db, {approval.case_id, approval.event_number, approval.from,
                                    approval.to, reviewer->reviewer_id, day, approval.signature}));
    std::string detail = name_of(out.from) + " -> " + name_of(out.to) + " (" +
                         std::to_string(out.approvals) + " of " + std::to_string(out.needed) + ")";
    if (out.approvals >= out.needed) {
      out.event_number = SAFEHOUSE_TRY(store::append_case_event(db, approval.case_id, out.to, day));
      out.moved = true;
      detail += ", event " + std::to_string(out.event_number);
      if (duplicate_of) {
        SAFEHOUSE_TRY_VOID(
            store::insert_case_link(db, {approval.case_id, *duplicate_of, out.event_number, day}));
        detail += ", duplicate of case " + std::to_string(*duplicate_of);
      }
      if (out.to == store::CaseStatus::kPurged) {
        // Copies first: they refer to the items. Their blobs go too.
        unreferenced = SAFEHOUSE_TRY(store::delete_publication_copies(db, approval.case_id));
        const auto items = SAFEHOUSE_TRY(store::delete_case_items(db, approval.case_id));
        unreferenced.insert(unreferenced.end(), items.begin(), items.end());
        SAFEHOUSE_TRY_VOID(store::delete_assessments(db, approval.case_id));
        // The tombstone keeps no digest of what was deleted.
        SAFEHOUSE_TRY_VOID(store::delete_grants(db, approval.case_id));
        detail += ", items deleted";
      }
    }
    return append_audit(db, {actor, out.moved ? "transition" : "approve", approval.case_id, detail},
                        day);
  });
  if (!committed) {
    const Error& error = committed.error();
    if (is_refusal(error.code())) {
      // The refusal itself is an action to account for. If even that
      // cannot be written, the refusal still stands.
      (void)record_audit(store_,
                         {actor, "refused", approval.case_id,
                          "-> " + name_of(approval.to) + ": " + error.message()},
                         day);
    }
    return error.with_context("case " + std::to_string(approval.case_id));
  }
  // After the commit: the records no longer name these blobs.
  for (const store::Sha256& digest : unreferenced) {
    if (store_.blobs().remove(digest)) ++out.blobs_removed;
  }
  return out;
}

Result<TransitionOutcome> Workflow::transition(const ReviewerKeys& keys, store::CaseId case_id,
                                               store::CaseStatus to,
                                               std::optional<store::CaseId> duplicate_of) {
  auto approval = sign(keys, case_id, to);
  if (!approval) {
    return approval.error().with_context("case " + std::to_string(case_id));
  }
  return submit(*approval, duplicate_of);
}

Result<void> Workflow::log(std::string_view actor, std::string_view action, store::CaseId case_id,
                           std::string_view detail) {
  return record_audit(
      store_, {std::string(actor), std::string(action), case_id, std::string(detail)}, today_());
}

Result<void> Workflow::categorise(store::CaseId case_id, std::string_view category,
                                  const std::vector<std::string>& taxonomy,
                                  std::string_view actor) {
  if (std::find(taxonomy.begin(), taxonomy.end(), category) == taxonomy.end()) {
    std::string names;
    for (const std::string& name : taxonomy) names += (names.empty() ? "" : ", ") + name;
    return invalid_argument("review categorise: \"" + std::string(category) +
                            "\" is not one of the categories in config.toml's [log]: " + names);
  }
  const store::Day day = today_();
  auto committed = commit_under_audit_lock(store_, [&](store::SqlSession& db) -> Result<void> {
    SAFEHOUSE_TRY_VOID(store::set_case_category(db, case_id, category));
    return append_audit(db, {std::string(actor), "categorise", case_id, std::string(category)},
                        day);
  });
  if (!committed) return committed.error().with_context("review categorise");
  return {};
}

Result<std::int64_t> Workflow::assess(store::CaseId case_id, std::string_view name,
                                      char reliability, int credibility, std::string_view category,
                                      const std::vector<std::string>& taxonomy, Bytes sealed) {
  if (reliability < 'A' || reliability > 'F' || credibility < 1 || credibility > 6) {
    return invalid_argument("assessment: reliability is A to F, credibility 1 to 6");
  }
  if (!category.empty() &&
      std::find(taxonomy.begin(), taxonomy.end(), category) == taxonomy.end()) {
    return invalid_argument("assessment: \"" + std::string(category) +
                            "\" is not one of the categories in config.toml's [log]");
  }
  if (sealed.empty()) return invalid_argument("assessment: the sealed record is empty");
  const store::Day day = today_();
  std::int64_t version = 0;
  auto committed = commit_under_audit_lock(store_, [&](store::SqlSession& db) -> Result<void> {
    const auto reviewer = SAFEHOUSE_TRY(store::find_reviewer_by_name(db, name));
    if (!reviewer) return Error(ErrorCode::kNotFound, "no reviewer " + std::string(name));
    if (!reviewer->active()) {
      return Error(ErrorCode::kConflict, "reviewer " + reviewer->name + " was removed");
    }
    const auto current = SAFEHOUSE_TRY(store::current_case_event(db, case_id));
    if (current.status == store::CaseStatus::kPurged) {
      return Error(ErrorCode::kConflict, "the case is purged: a tombstone takes no assessment");
    }
    store::AssessmentRecord record;
    record.case_id = case_id;
    record.reviewer_id = reviewer->reviewer_id;
    record.reliability = reliability;
    record.credibility = credibility;
    record.day = day;
    record.sealed = sealed;
    version = SAFEHOUSE_TRY(store::insert_assessment(db, record));
    std::string detail = "version " + std::to_string(version) + ", " + std::string(1, reliability) +
                         std::to_string(credibility);
    if (!category.empty()) {
      SAFEHOUSE_TRY_VOID(store::set_case_category(db, case_id, category));
      detail += ", category " + std::string(category);
    }
    return append_audit(db, {reviewer->name, "assess", case_id, detail}, day);
  });
  if (!committed) return committed.error().with_context("case " + std::to_string(case_id));
  return version;
}

std::string actor_name(Workflow& workflow, const std::vector<ReviewerKeys>& keys) {
  if (auto reviewer = workflow.reviewer_of(keys)) return reviewer->name;
  return keys.empty() ? "unknown" : "unregistered " + keys.front().recipient();
}

}  // namespace safehouse::review
