// SPDX-License-Identifier: AGPL-3.0-or-later
// store/grant_records.h: grants (schema version 13, docs/storage.md;
// docs/reviewing.md, "Granting a reviewer existing cases"). Adding a
// reviewer to a case already stored rewraps each of its age files — items,
// assessment versions, publication copies — with one more stanza; the
// payload stays, but the ciphertext and so its SHA-256 change. Here: the
// compare-and-swap replacements of those ciphertexts, and the grant rows
// that keep each old digest beside the new one, so that a check that cites
// the old digest still finds its object. Engine-neutral SQL run on a
// session the caller holds (inside its transaction), as
// store/workflow_records.h; judges nothing.
#ifndef SAFEHOUSE_STORE_GRANT_RECORDS_H_
#define SAFEHOUSE_STORE_GRANT_RECORDS_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "store/sql.h"
#include "store/types.h"
#include "store/write_batch.h"

namespace safehouse::store {

// What a grant rewrapped.
enum class GrantedKind { kItem, kAssessment, kCopy };
// "item" / "assessment" / "copy", as stored.
std::string_view granted_kind_name(GrantedKind kind);

// One rewrapped object. `object_id` is the item id, the assessment's
// version number (of `case_id`) or the publication copy id. A plain value.
struct GrantRecord {
  std::int64_t grant_id = 0;
  CaseId case_id = 0;
  GrantedKind kind = GrantedKind::kItem;
  std::int64_t object_id = 0;
  std::int64_t reviewer_id = 0;  // who can now decrypt it
  std::int64_t granted_by = 0;   // the reviewer who rewrapped it
  Sha256 old_sha256{};
  Sha256 new_sha256{};
  Day day = 0;
};

// Compare-and-swap: item `item_id`'s ciphertext becomes `body` if its
// SHA-256 is still `expected`. kConflict if it changed meanwhile (another
// grant won the race: nothing is written), kNotFound if there is no such
// item. An inline body stays in the row; a BlobRef must be a finished blob.
Result<void> replace_item_body(SqlSession& db, ItemId item_id, const Sha256& expected,
                               const ItemBody& body);
// The same for the sealed record of assessment `version` of `case_id`:
// replaced by `sealed` if the SHA-256 of the stored one is `expected`.
Result<void> replace_assessment_sealed(SqlSession& db, CaseId case_id, std::int64_t version,
                                       const Sha256& expected, ByteSpan sealed);
// The same for publication copy `copy_id`, whose body is always a blob.
Result<void> replace_publication_copy_body(SqlSession& db, std::int64_t copy_id,
                                           const Sha256& expected, const BlobRef& body);

Result<void> insert_grant(SqlSession& db, const GrantRecord& grant);
// The case's grants, ascending id.
Result<std::vector<GrantRecord>> list_grants(SqlSession& db, CaseId case_id);
// Purge: the tombstone keeps no digest of what was deleted.
Result<void> delete_grants(SqlSession& db, CaseId case_id);

// Whether any item or publication copy still names blob `digest` (a blob
// is removed only when nothing does: equal ciphertexts share one).
Result<bool> blob_is_referenced(SqlSession& db, const Sha256& digest);

}  // namespace safehouse::store

#endif  // SAFEHOUSE_STORE_GRANT_RECORDS_H_
