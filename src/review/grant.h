// SPDX-License-Identifier: AGPL-3.0-or-later
// review/grant.h: granting a reviewer the cases already stored
// (docs/reviewing.md, "Granting a reviewer existing cases"; ARCHITECTURE.md
// §5): a reviewer who can decrypt a case rewraps each of its age files —
// items, assessment versions, publication copies — with one more stanza,
// for the other reviewer's recipient (age::rewrap: the header only; the
// payload is copied, never decrypted). The new ciphertexts replace the old
// by compare-and-swap on their SHA-256, with a grant row per object (old
// and new digest) and one audit entry, in one transaction; old blobs are
// removed only after the commit. Knows age, the store and the audit log;
// nothing of the command line or HTTP.
#ifndef SAFEHOUSE_REVIEW_GRANT_H_
#define SAFEHOUSE_REVIEW_GRANT_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "age/recipient.h"
#include "base/error.h"
#include "store/store.h"
#include "store/workflow_records.h"

namespace safehouse::review {

// What a grant did to one case. A plain value.
struct GrantOutcome {
  store::CaseId case_id = 0;
  std::int64_t items = 0;          // rewrapped now
  std::int64_t assessments = 0;    // assessment versions rewrapped now
  std::int64_t copies = 0;         // publication copies rewrapped now
  std::int64_t already = 0;        // granted to them before: left as they are
  std::int64_t blobs_removed = 0;  // old ciphertexts deleted after the commit
  std::int64_t granted() const { return items + assessments + copies; }
};

// The reviewer named `name`, checked as one to grant cases to: registered,
// active, holding keys of their own (enrolled, or given a key file: not the
// placeholder keys of an account that has not enrolled yet), and not
// `by`. kNotFound / kConflict / kInvalidArgument with the reason.
Result<store::ReviewerRecord> find_grantee(store::Store& store, std::string_view name,
                                           const store::ReviewerRecord& by);

// Rewraps every age file of case `case_id` that `to` was not granted
// before, opening each with `identities` (the keys of reviewer `by`).
// kNoMatch naming the object if `identities` open one of them not (nothing
// is changed then), kConflict if the case is purged or an object changed
// meanwhile (nothing is changed: run it again), kNotFound for no such case.
// Audited ("grant", detail "to NAME age1…: 3 items, 1 assessment version")
// in the same transaction as the replacements.
Result<GrantOutcome> grant_case(store::Store& store,
                                std::span<const age::Identity* const> identities,
                                const store::ReviewerRecord& by, const store::ReviewerRecord& to,
                                store::CaseId case_id, store::Day day);

// "3 items, 1 assessment version, 1 publication copy" (copies only if any).
std::string describe_grant(const GrantOutcome& outcome);

}  // namespace safehouse::review

#endif  // SAFEHOUSE_REVIEW_GRANT_H_
