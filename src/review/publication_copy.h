// SPDX-License-Identifier: AGPL-3.0-or-later
// review/publication_copy.h: publication copies (docs/reviewing.md,
// "Publication copies"): a file item's copy with its metadata removed
// (review/metadata_cleaner.h), stored on the case encrypted to the
// recipient set and linked to its original, which stays untouched as the
// evidence; and reading such a copy back. Knows age, item frames, the store
// and the audit log; nothing of the command line or HTTP.
#ifndef SAFEHOUSE_REVIEW_PUBLICATION_COPY_H_
#define SAFEHOUSE_REVIEW_PUBLICATION_COPY_H_

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "age/recipient.h"
#include "intake/frame.h"
#include "review/output_dir.h"
#include "store/publication_copy_records.h"
#include "store/store.h"

namespace safehouse::review {

struct AttachRequest {
  store::CaseId case_id = 0;
  store::ItemId item_id = 0;      // the original
  std::int64_t reviewer_id = 0;   // who made the copy
  std::string actor;              // their name, for the audit entry
  intake::FrameHeader header;     // the copy's frame header (kind file)
  std::filesystem::path cleaned;  // the cleaned file (plaintext, private)
  store::Day day = 0;
};

// Encrypts `request.cleaned` as an item frame (padded, like every item) to
// `recipients` into a new blob, then commits its record and the audit entry
// ("publication-copy", "item N -> copy M") together. Returns the copy's
// id. On failure nothing is recorded and the blob is removed again.
Result<std::int64_t> attach_publication_copy(store::Store& store,
                                             std::span<const age::Recipient* const> recipients,
                                             const AttachRequest& request);

// The case's copies, ascending id.
Result<std::vector<store::PublicationCopyRecord>> publication_copies(store::Store& store,
                                                                     store::CaseId case_id);

// Decrypts `copy` into `out` as "copy<id>-<its file name>"; returns that
// name. Requires: one of `identities` opens it.
Result<std::string> save_publication_copy(store::Store& store,
                                          const store::PublicationCopyRecord& copy,
                                          std::span<const age::Identity* const> identities,
                                          OutputDir& out);
// The same from the copy's ciphertext `body` (an export bundle's file).
Result<std::string> save_publication_copy(ByteSource& body,
                                          const store::PublicationCopyRecord& copy,
                                          std::span<const age::Identity* const> identities,
                                          OutputDir& out);

}  // namespace safehouse::review

#endif  // SAFEHOUSE_REVIEW_PUBLICATION_COPY_H_
