// SPDX-License-Identifier: AGPL-3.0-or-later
// review/recipients.h: the recipient set (ARCHITECTURE.md §5): which age
// recipients every new submission is encrypted to. Kept in the database
// (setting kRecipientSetSetting, the text of an age recipients file) so that
// every server sharing it encrypts to the same set and a running server
// follows a change (intake/recipient_set.h); keys/recipients.txt is a copy.
// `safehouse recipients add|remove` changes it here, each change with its
// audit entry in one transaction: registered reviewers whose keys are their
// own (enrolled, or handed out as a key file) become eligible; the last
// recipient cannot be removed. Removing a reviewer drops them from the set,
// and a reviewer's new keys at enrolment replace the old ones in it.
// docs/reviewing.md ("Recipient set").
#ifndef SAFEHOUSE_REVIEW_RECIPIENTS_H_
#define SAFEHOUSE_REVIEW_RECIPIENTS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "store/sql.h"
#include "store/store.h"
#include "store/workflow_records.h"

namespace safehouse::review {

// The same key as config::kRecipientsSetting (config/installation.h).
inline constexpr const char* kRecipientSetSetting = "installation/recipients";

// One age1… line of the set and the comment line right above it, if any
// (without "# "): "reviewer alice" for the entries `recipients add` writes.
struct RecipientEntry {
  std::string recipient;
  std::string label;
  bool operator==(const RecipientEntry&) const = default;
};

// Parses the text of a recipients file: age1… lines and '#' comments; a
// comment labels the recipient on the next line. kMalformed names the line.
// At least one recipient; a recipient listed twice is refused.
Result<std::vector<RecipientEntry>> parse_recipient_entries(std::string_view text);
// The text parse_recipient_entries reads back: a header comment, then each
// entry's label comment (if any) and recipient.
std::string format_recipient_entries(const std::vector<RecipientEntry>& entries);

// Inside a transaction: the set in the database; nullopt if this database
// holds none (an installation older than the setting: keys/recipients.txt).
Result<std::optional<std::vector<RecipientEntry>>> read_recipient_set(store::SqlSession& db);
Result<void> write_recipient_set(store::SqlSession& db, const std::vector<RecipientEntry>& entries);

// Inside a transaction holding the audit lock: drops `reviewer`'s recipient
// from the set (reviewer remove), audited as "recipient-remove"; kConflict
// if it is the last one. Nothing happens if they are not in it.
Result<void> drop_reviewer_recipient(store::SqlSession& db, const store::ReviewerRecord& reviewer,
                                     std::string_view actor, store::Day day);
// Inside a transaction holding the audit lock: `old_recipient` becomes
// `new_recipient` (a reviewer's new keys at enrolment), audited as
// "recipient-replace". Nothing happens if `old_recipient` is not in the set.
Result<void> replace_recipient(store::SqlSession& db, std::string_view reviewer_name,
                               std::string_view old_recipient, std::string_view new_recipient,
                               store::Day day);

// What `recipients list` shows for one entry.
struct RecipientListing {
  RecipientEntry entry;
  std::string reviewer;  // the registered reviewer with this recipient, or ""
  bool reviewer_active = false;
};

// The administrator's commands. `file_text` is keys/recipients.txt, used
// (and stored in the database) when the database holds no set yet.
class RecipientSetAdmin {
 public:
  RecipientSetAdmin(store::Store& store, std::string file_text)
      : store_(store), file_text_(std::move(file_text)) {}

  Result<std::vector<RecipientListing>> list();
  // `who` is a registered reviewer's name, or an age1… recipient (an
  // offline archive key), labelled `label`. kNotFound: no such reviewer;
  // kConflict: removed, not enrolled yet (their browser makes their keys),
  // or already in the set. Audited "recipient-add". Returns the new set.
  Result<std::vector<RecipientEntry>> add(std::string_view who, std::string_view label,
                                          std::string_view actor, store::Day day);
  // `who`: a reviewer's name, an age1… recipient, or an entry's label
  // ("reviewer" for the identity `safehouse init` made). kNotFound if not in
  // the set; kConflict for the last recipient. Audited "recipient-remove".
  Result<std::vector<RecipientEntry>> remove(std::string_view who, std::string_view actor,
                                             store::Day day);

 private:
  Result<std::vector<RecipientEntry>> current(store::SqlSession& db);

  store::Store& store_;
  std::string file_text_;
};

}  // namespace safehouse::review

#endif  // SAFEHOUSE_REVIEW_RECIPIENTS_H_
