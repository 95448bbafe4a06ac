// SPDX-License-Identifier: AGPL-3.0-or-later
// store/workflow_records.h: the records of the verification workflow —
// reviewers' public keys, case events, signed approvals and the audit log
// (schema version 2, docs/storage.md) — and the SQL that reads and writes
// them, written once for every engine (store/sql.h). The functions run on
// a session the caller holds: inside WriteBatch::run_exclusive() for
// writes (so that checking the state and changing it is one transaction),
// inside Store::read() for reads. They judge nothing: the rules are in
// review/ (transitions, approvals, the audit chain).
#ifndef SAFEHOUSE_STORE_WORKFLOW_RECORDS_H_
#define SAFEHOUSE_STORE_WORKFLOW_RECORDS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "store/sql.h"
#include "store/types.h"

namespace safehouse::store {

// Plain values.
using SigningKey = std::array<std::uint8_t, 32>;  // Ed25519 public key
using Signature = std::array<std::uint8_t, 64>;   // Ed25519 signature

struct ReviewerRecord {
  std::int64_t reviewer_id = 0;
  std::string name;
  std::string recipient;  // age1… (public)
  SigningKey signing_key{};
  Day added_day = 0;
  Day removed_day = 0;  // 0 while the reviewer is active (NULL in the table)
  bool active() const { return removed_day == 0; }
};

// One state change of a case: what the transparency log publishes.
struct CaseEventRecord {
  CaseId case_id = 0;
  std::int64_t event_number = 0;  // 1 = received
  Day day = 0;
  CaseStatus status = CaseStatus::kReceived;
};

// A reviewer's signed approval of moving a case from `from` to `to` while
// the case was at `event_number`.
struct ApprovalRecord {
  CaseId case_id = 0;
  std::int64_t event_number = 0;
  CaseStatus from = CaseStatus::kReceived;
  CaseStatus to = CaseStatus::kReceived;
  std::int64_t reviewer_id = 0;
  Day day = 0;
  Signature signature{};
};

// One entry of the internal audit log. `hash` chains it to the entry
// before (review/audit.h computes it).
struct AuditRecord {
  std::int64_t seq = 0;  // 1, 2, …
  Day day = 0;
  std::string actor;
  std::string action;
  CaseId case_id = 0;  // 0: no case
  std::string detail;
  Sha256 prev_hash{};
  Sha256 hash{};
};

// The setting holding the audit log's last "seq hash-hex", written with
// every entry, so that deleting the newest entries is noticed too.
inline constexpr const char* kAuditHeadSetting = "audit/head";

// Reviewers. insert: kConflict if the name or a key is taken (also by a
// removed reviewer: names are never reused).
Result<std::int64_t> insert_reviewer(SqlSession& db, const ReviewerRecord& reviewer);
Result<std::optional<ReviewerRecord>> find_reviewer_by_name(SqlSession& db, std::string_view name);
Result<std::optional<ReviewerRecord>> find_reviewer_by_key(SqlSession& db, const SigningKey& key);
Result<std::optional<ReviewerRecord>> find_reviewer_by_id(SqlSession& db, std::int64_t id);
Result<std::vector<ReviewerRecord>> list_reviewers(SqlSession& db);
// Marks an active reviewer removed; kNotFound if there is no active one.
Result<void> mark_reviewer_removed(SqlSession& db, std::string_view name, Day day);

// Case events. append: sets the case's status and last event day and adds
// event (last + 1); returns its number. kNotFound if there is no case.
Result<std::int64_t> append_case_event(SqlSession& db, CaseId case_id, CaseStatus status, Day day);
Result<std::vector<CaseEventRecord>> list_case_events(SqlSession& db, CaseId case_id);
// The case's status and its last event number; kNotFound if no case.
Result<CaseEventRecord> current_case_event(SqlSession& db, CaseId case_id);

// Approvals. insert: kConflict if this reviewer already approved the same
// (case, event, target).
Result<void> insert_approval(SqlSession& db, const ApprovalRecord& approval);
Result<std::vector<ApprovalRecord>> list_approvals(SqlSession& db, CaseId case_id,
                                                   std::int64_t event_number, CaseStatus to);
// The most recent approval that moved or helped move the case to `to`.
Result<std::optional<ApprovalRecord>> last_approval_to(SqlSession& db, CaseId case_id,
                                                       CaseStatus to);

// Audit log, in sequence order. insert also writes kAuditHeadSetting.
Result<void> insert_audit(SqlSession& db, const AuditRecord& entry);
Result<std::optional<AuditRecord>> last_audit(SqlSession& db);
Result<std::vector<AuditRecord>> list_audit(SqlSession& db);

// A duplicate link: `case_id` was moved to `duplicate` at `event_number`
// as a duplicate of `duplicate_of` (schema version 5).
struct CaseLinkRecord {
  CaseId case_id = 0;
  CaseId duplicate_of = 0;
  std::int64_t event_number = 0;
  Day day = 0;
};

// Case links. insert: kConflict if the case already has a link at that
// event. A link is in force while it belongs to the case's latest event
// (the move to duplicate); any later move ends it, the row stays as
// history. find: the case's link in force. list: every link in force,
// ascending case id, in one query.
Result<void> insert_case_link(SqlSession& db, const CaseLinkRecord& link);
Result<std::optional<CaseLinkRecord>> find_case_link(SqlSession& db, CaseId case_id);
Result<std::vector<CaseLinkRecord>> list_case_links(SqlSession& db);
// The cases whose link in force points at `case_id`, ascending.
Result<std::vector<CaseId>> list_duplicates_of(SqlSession& db, CaseId case_id);

// Purge: deletes the case's items and sets its item count to 0; returns
// the blobs they used that no remaining item references (for the caller to
// remove from the BlobStore after the commit).
Result<std::vector<Sha256>> delete_case_items(SqlSession& db, CaseId case_id);

}  // namespace safehouse::store

#endif  // SAFEHOUSE_STORE_WORKFLOW_RECORDS_H_
