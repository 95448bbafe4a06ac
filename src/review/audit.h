// SPDX-License-Identifier: AGPL-3.0-or-later
// review/audit.h: the internal audit log of reviewer actions (invariant 3):
// append-only, each entry hash-chained to the one before (SHA-256), kept in
// the database (store/workflow_records.h), and its verifier. Entries hold
// days only, a reviewer's name, an action word, a case id and a short
// detail — never plaintext or a codename. docs/reviewing.md ("Audit log").
#ifndef SAFEHOUSE_REVIEW_AUDIT_H_
#define SAFEHOUSE_REVIEW_AUDIT_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "store/store.h"
#include "store/workflow_records.h"
#include "store/write_batch.h"

namespace safehouse::review {

// What happened (a plain value). `actor` is a reviewer's name, "admin" for
// the server's command line, or "unregistered age1…" for an identity that
// is no registered reviewer.
struct AuditAction {
  std::string actor;
  std::string action;  // e.g. "reviewer-add", "approve", "transition", "refused", "read"
  store::CaseId case_id = 0;
  std::string detail;
};

// SHA-256 over "safehouse/audit/v1" and each field of `entry` but `hash`,
// each length-prefixed (so no two entries can be made to hash alike by
// moving text between fields), prev_hash last.
store::Sha256 audit_entry_hash(const store::AuditRecord& entry);

// Appends `action` after the current last entry, inside the caller's
// transaction (use through add_audit()).
Result<void> append_audit(store::SqlSession& db, const AuditAction& action, store::Day day);

// Adds the append to `batch`, so the action and its entry commit together.
void add_audit(store::WriteBatch& batch, AuditAction action, store::Day day);

// Commits an entry on its own (reads, refusals).
Result<void> record_audit(store::Store& store, AuditAction action, store::Day day);

// Commits `run` under the audit log's lock, so that what it writes and the
// audit entries it appends commit together, one writer at a time. `run` may
// run more than once (a retried transaction), so it must reset what it
// sets. A failure of `run` itself comes back as it was, without the store's
// context.
Result<void> commit_under_audit_lock(store::Store& store,
                                     const std::function<Result<void>(store::SqlSession&)>& run);

struct AuditReport {
  std::int64_t entries = 0;
  // The first entry that does not verify (its sequence number, or the
  // position where one is missing), and why; nullopt when intact.
  std::optional<std::int64_t> first_broken;
  std::string reason;
};

// Walks the whole log: sequence numbers 1, 2, … without gaps, each
// prev_hash equal to the hash before, each hash recomputed, and the last
// entry equal to the recorded head (store::kAuditHeadSetting).
Result<AuditReport> verify_audit(store::Store& store);

}  // namespace safehouse::review

#endif  // SAFEHOUSE_REVIEW_AUDIT_H_
