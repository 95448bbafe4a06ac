// SPDX-License-Identifier: AGPL-3.0-or-later
// store/write_batch.h: a list of writes committed atomically — all of them
// or none. A first contact is one batch: create the source, open its case,
// add the first item. Knows the operations; nothing of how an engine applies
// them.
#ifndef SAFEHOUSE_STORE_WRITE_BATCH_H_
#define SAFEHOUSE_STORE_WRITE_BATCH_H_

#include <cstddef>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "base/byte_stream.h"
#include "base/error.h"
#include "store/types.h"

namespace safehouse::store {

class SqlSession;

// Largest ciphertext that may be stored inline in the database. Larger ones
// go to the BlobStore. See docs/storage.md ("Small bodies inline").
inline constexpr std::size_t kMaxInlineBodyBytes = 64 * 1024;

// An item's ciphertext: either the bytes themselves, stored inline in the
// database record (small items: no file, no extra fsync — the commit's one
// fsync covers them), or a finished blob (large items).
struct InlineBody {
  Bytes ciphertext;  // at most kMaxInlineBodyBytes
};
using ItemBody = std::variant<InlineBody, BlobRef>;

// The operation structs, InlineBody, CaseRef and CommitResult are plain
// values (thread safety as for any value).

// Names the case an item goes to: an existing one, or the one created by an
// earlier create_case() of the same batch (by its operation index).
class CaseRef {
 public:
  static CaseRef existing(CaseId id) { return CaseRef(id, -1); }
  static CaseRef created_by(std::size_t op_index) {
    return CaseRef(0, static_cast<std::ptrdiff_t>(op_index));
  }
  bool is_existing() const { return op_index_ < 0; }
  CaseId case_id() const { return case_id_; }  // Requires: is_existing()
  std::size_t op_index() const { return static_cast<std::size_t>(op_index_); }

 private:
  CaseRef(CaseId id, std::ptrdiff_t op) : case_id_(id), op_index_(op) {}
  CaseId case_id_;
  std::ptrdiff_t op_index_;
};

// The operations. Each one is a plain value; see WriteBatch for meaning.
struct CreateSource {
  SourceId source_id{};
  std::string alias;
  Day day = 0;
  std::string reply_recipient;  // "age1..." or ""
  Bytes signing_key;            // Ed25519 public key (32 bytes) or empty
};
struct CreateCase {
  SourceId source_id{};
  Day day = 0;
  bool audit_consent = false;
};
struct AddItem {
  CaseRef case_ref = CaseRef::existing(0);
  Direction direction = Direction::kSource;
  ItemBody body;
  Day day = 0;
};
struct SetCaseStatus {
  CaseId case_id = 0;
  CaseStatus status = CaseStatus::kReceived;
  Day day = 0;
};
struct PutSetting {
  std::string key;
  Bytes value;
};
// SQL run with exclusive access to `lock` (see WriteBatch::run_exclusive).
// The function returns the id to report in CommitResult (or 0).
struct RunExclusive {
  std::string lock;
  std::function<Result<std::int64_t>(SqlSession&)> run;
};
using Operation =
    std::variant<CreateSource, CreateCase, AddItem, SetCaseStatus, PutSetting, RunExclusive>;

// Longest alias and setting key accepted.
inline constexpr std::size_t kMaxAliasBytes = 64;
// An age X25519 recipient is 62 characters; leave room for other types.
inline constexpr std::size_t kMaxReplyRecipientBytes = 256;
inline constexpr std::size_t kMaxSettingKeyBytes = 128;
inline constexpr std::size_t kMaxSettingValueBytes = 1024 * 1024;

// Operations to commit together. Each adder returns the operation's index,
// which CommitResult::id() and CaseRef::created_by() take.
// Not thread-safe; build it on one thread, then hand it to Store::commit().
class WriteBatch {
 public:
  // A new source. Fails at commit with kConflict if the id exists.
  // `reply_recipient` is the source's codename-derived age recipient.
  // `signing_key` is the Ed25519 public key a JavaScript client registered
  // (32 bytes), or empty.
  std::size_t create_source(const SourceId& source_id, std::string alias, Day day,
                            std::string reply_recipient = {}, Bytes signing_key = {});
  // A new case of an existing (or same-batch) source, status "received",
  // item_count 0, with its case event 1 ("received"). Assigns a CaseId.
  // `audit_consent`: the source consented at first contact to a sampled
  // audit by an observer (CaseRecord::audit_consent); only intake sets it.
  std::size_t create_case(const SourceId& source_id, Day day, bool audit_consent = false);
  // A new item; adds 1 to the case's item_count and sets its last_event_day.
  // Assigns an ItemId. A BlobRef body must come from a finished BlobWriter of
  // the same store (checked at commit: kNotFound otherwise).
  std::size_t add_item(CaseRef case_ref, Direction direction, ItemBody body, Day day);
  // Changes a case's status and its last_event_day and appends the case
  // event (CommitResult::id() is its event number). kNotFound if no case.
  // The store does not judge transitions; the caller's workflow does
  // (review/workflow.h).
  std::size_t set_case_status(CaseId case_id, CaseStatus status, Day day);
  // Inserts or replaces an installation setting (e.g. "schema_version").
  std::size_t put_setting(std::string key, Bytes value);

  // Runs `run` inside the batch's transaction while holding the lock named
  // `lock` (1 to 128 bytes) exclusively across every server sharing the
  // database, until the transaction ends: one appender at a time for
  // anything log-like (read the head, append after it — no forks, no
  // gaps). SQLite: the write transaction is already exclusive; PostgreSQL:
  // pg_advisory_xact_lock. `run` writes engine-neutral SQL (store/sql.h);
  // it may run more than once if the transaction is retried after a
  // deadlock, so it must not have effects outside the database. An error
  // it returns fails the batch alone, like a constraint error.
  std::size_t run_exclusive(std::string lock, std::function<Result<std::int64_t>(SqlSession&)> run);

  const std::vector<Operation>& operations() const { return ops_; }
  bool empty() const { return ops_.empty(); }
  std::size_t size() const { return ops_.size(); }

  // Checks limits, days and references without touching storage
  // (kInvalidArgument / kTooLarge). Store::commit() calls it.
  Result<void> validate() const;

 private:
  std::vector<Operation> ops_;
};

// What a commit assigned: for each operation index, the new CaseId or ItemId,
// or 0 for operations that assign none.
struct CommitResult {
  std::vector<std::int64_t> ids;
  std::int64_t id(std::size_t op_index) const { return ids.at(op_index); }
};

}  // namespace safehouse::store

#endif  // SAFEHOUSE_STORE_WRITE_BATCH_H_
