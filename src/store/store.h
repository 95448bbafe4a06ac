// SPDX-License-Identifier: AGPL-3.0-or-later
// store/store.h: the abstract Store — everything Safehouse keeps about
// sources, cases and items, read back as records and written in atomic
// batches. Engines: SQLite (store/sqlite_store.h), later PostgreSQL; the
// interface says nothing engine-specific. Schema: docs/storage.md.
#ifndef SAFEHOUSE_STORE_STORE_H_
#define SAFEHOUSE_STORE_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/byte_stream.h"
#include "base/error.h"
#include "store/blob_store.h"
#include "store/types.h"
#include "store/write_batch.h"

namespace safehouse::store {

class SqlSession;

// CaseQuery and StoreStats are plain values.

// Which cases list_cases() returns, in ascending case_id order.
struct CaseQuery {
  std::optional<CaseStatus> status;   // only this status
  std::optional<SourceId> source_id;  // only this source's cases
  CaseId after_case_id = 0;           // paging: ids greater than this
  std::size_t limit = 100;            // at most this many (≤ kMaxListLimit)
};
inline constexpr std::size_t kMaxListLimit = 10000;

// Counters for tests and metrics. `transactions` counts database commits;
// `batches` counts WriteBatches committed in them — batches > transactions
// means group commit merged some.
struct StoreStats {
  std::uint64_t transactions = 0;
  std::uint64_t batches = 0;
  std::uint64_t failed_batches = 0;
};

// Thread safety: every method may be called from any thread at once.
// Writes are applied in the order commit calls enqueue them.
// Durability: when a commit reports success, its records — and inline
// bodies — have been fsynced (invariant 5). Blob bodies are durable before
// they can be referenced (BlobWriter::finish()).
class Store {
 public:
  virtual ~Store() = default;  // waits for queued commits to finish

  // Commits `batch` atomically and calls `done` once it is durable or has
  // failed. `done` runs on the store's writer thread: keep it short, never
  // call commit() (blocking) from it. A failing batch fails alone
  // (kConflict for a duplicate id, kNotFound for a missing case or blob,
  // kInvalidArgument/kTooLarge from validation). A storage error fails
  // every batch of that transaction: kUnavailable (full disk, lock timeout)
  // certainly did not commit and the store stays usable; kIo (a failed
  // write or fsync) leaves the outcome unknown — the batch may reappear
  // after a reopen, so keep the blobs it referenced — and the store refuses
  // writes until reopened (docs/storage.md, "Durability"); kOutcomeUnknown
  // (PostgreSQL: the connection broke during COMMIT) likewise may have
  // committed, keep the blobs, but the store goes on with a new connection.
  // See commit_may_have_happened().
  virtual void commit_async(WriteBatch batch, std::function<void(Result<CommitResult>)> done) = 0;
  // commit_async() and wait.
  virtual Result<CommitResult> commit(WriteBatch batch) = 0;

  // Reads. kNotFound when the record does not exist.
  virtual Result<SourceRecord> get_source(const SourceId& source_id) = 0;
  virtual Result<CaseRecord> get_case(CaseId case_id) = 0;
  virtual Result<std::vector<CaseRecord>> list_cases(const CaseQuery& query) = 0;
  virtual Result<ItemRecord> get_item(ItemId item_id) = 0;
  // All items of a case in the order they were added.
  virtual Result<std::vector<ItemRecord>> list_items(CaseId case_id) = 0;
  // An item's ciphertext, checked against its SHA-256 (kIntegrity if it
  // does not match). open_item_body streams; see BlobStore::open_blob.
  virtual Result<std::unique_ptr<ByteSource>> open_item_body(ItemId item_id) = 0;
  virtual Result<Bytes> read_item_body(ItemId item_id, std::size_t max_bytes) = 0;
  virtual Result<Bytes> get_setting(const std::string& key) = 0;
  // Runs `read` on a read-only connection that sees the last committed
  // state: engine-neutral SQL (store/sql.h) for records that have no
  // method here (store/workflow_records.h). It may run twice if the
  // connection is lost, so it must only read.
  virtual Result<void> read(const std::function<Result<void>(SqlSession&)>& read) = 0;

  // The blob directory that goes with this store (DIR/blobs).
  virtual BlobStore& blobs() = 0;
  virtual StoreStats stats() = 0;
};

// True when a failed commit may nevertheless have happened (kIo,
// kOutcomeUnknown): the blobs it named must stay. Any other error certainly
// did not commit.
inline bool commit_may_have_happened(const Error& error) {
  return error.code() == ErrorCode::kIo || error.code() == ErrorCode::kOutcomeUnknown;
}

}  // namespace safehouse::store

#endif  // SAFEHOUSE_STORE_STORE_H_
