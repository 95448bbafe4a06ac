// SPDX-License-Identifier: AGPL-3.0-or-later
// store/publication_copy_records.h: publication copies (schema version 12,
// docs/storage.md; docs/reviewing.md, "Publication copies"): a file item's
// copy with its metadata removed, encrypted (age) to the recipient set and
// kept as a blob, linked to the original item it was made from. The
// original stays as it is: it is the evidence. Engine-neutral SQL run on a
// session the caller holds, as store/workflow_records.h; judges nothing.
#ifndef SAFEHOUSE_STORE_PUBLICATION_COPY_RECORDS_H_
#define SAFEHOUSE_STORE_PUBLICATION_COPY_RECORDS_H_

#include <cstdint>
#include <vector>

#include "base/error.h"
#include "store/sql.h"
#include "store/types.h"

namespace safehouse::store {

// A plain value. The body is always a blob (never inline).
struct PublicationCopyRecord {
  std::int64_t copy_id = 0;
  CaseId case_id = 0;
  ItemId item_id = 0;  // the original
  std::int64_t reviewer_id = 0;
  BlobRef body;
  Day day = 0;
};

// Inserts `copy` (copy_id ignored) and returns its id. kNotFound if the
// case, item or reviewer does not exist (foreign keys); kInvalidArgument if
// the item belongs to another case.
Result<std::int64_t> insert_publication_copy(SqlSession& db, const PublicationCopyRecord& copy);

// The case's copies, ascending copy id.
Result<std::vector<PublicationCopyRecord>> list_publication_copies(SqlSession& db, CaseId case_id);

// Purge: deletes the case's copies (before its items, which they
// reference); returns the blobs no remaining item or copy references, for
// the caller to remove from the BlobStore after the commit.
Result<std::vector<Sha256>> delete_publication_copies(SqlSession& db, CaseId case_id);

}  // namespace safehouse::store

#endif  // SAFEHOUSE_STORE_PUBLICATION_COPY_RECORDS_H_
