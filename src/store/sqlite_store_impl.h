// SPDX-License-Identifier: AGPL-3.0-or-later
// store/sqlite_store_impl.h (internal): the SQLite engine's class — reader
// pool, writer thread, group commit. Users include store/sqlite_store.h.
#ifndef SAFEHOUSE_STORE_SQLITE_STORE_IMPL_H_
#define SAFEHOUSE_STORE_SQLITE_STORE_IMPL_H_

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "store/sqlite_db.h"
#include "store/sqlite_store.h"
#include "store/sqlite_vfs.h"
#include "store/thread_annotations.h"

namespace safehouse::store::detail {

// A batch waiting for the writer, with what was computed on the caller's
// thread: the SHA-256 of each inline body (by operation index), or the
// validation error that fails it without touching the database.
struct PendingBatch {
  WriteBatch batch;
  std::vector<Sha256> digests;
  std::optional<Error> error;
  std::function<void(Result<CommitResult>)> done;
};

// Applies one batch inside the writer's open transaction (sqlite_apply.cpp).
// Requires: a transaction is open on `db`.
Result<CommitResult> apply_batch(Connection& db, const PendingBatch& pending);
// Creates or checks the schema (sqlite_schema.cpp).
Result<void> ensure_schema(Connection& db);

// A ByteSource that owns its bytes (an inline body, already verified).
// Not thread-safe.
class OwnedSource final : public ByteSource {
 public:
  explicit OwnedSource(Bytes data) : data_(std::move(data)), source_(data_) {}
  OwnedSource(const OwnedSource&) = delete;
  OwnedSource& operator=(const OwnedSource&) = delete;
  Result<std::size_t> read(MutableByteSpan out) override { return source_.read(out); }

 private:
  Bytes data_;
  SpanSource source_;
};

// Thread-safe (see Store). The writer connection belongs to the writer
// thread alone after construction; readers borrow pooled connections.
class SqliteStore final : public Store {
 public:
  static Result<std::unique_ptr<Store>> open(const std::filesystem::path& dir, FileSystem& fs,
                                             const SqliteOptions& options);
  ~SqliteStore() override;

  void commit_async(WriteBatch batch, std::function<void(Result<CommitResult>)> done) override;
  Result<CommitResult> commit(WriteBatch batch) override;

  Result<SourceRecord> get_source(const SourceId& source_id) override;
  Result<CaseRecord> get_case(CaseId case_id) override;
  Result<std::vector<CaseRecord>> list_cases(const CaseQuery& query) override;
  Result<ItemRecord> get_item(ItemId item_id) override;
  Result<std::vector<ItemRecord>> list_items(CaseId case_id) override;
  Result<std::unique_ptr<ByteSource>> open_item_body(ItemId item_id) override;
  Result<Bytes> read_item_body(ItemId item_id, std::size_t max_bytes) override;
  Result<Bytes> get_setting(const std::string& key) override;

  BlobStore& blobs() override { return *blobs_; }
  StoreStats stats() override;

 private:
  // A pooled reader connection, returned to the pool when the lease ends.
  class ReaderLease {
   public:
    ReaderLease(SqliteStore& store, std::unique_ptr<Connection> connection)
        : store_(&store), connection_(std::move(connection)) {}
    ReaderLease(ReaderLease&& other) noexcept = default;
    ReaderLease& operator=(ReaderLease&&) = delete;
    ~ReaderLease() {
      if (connection_) store_->release_reader(std::move(connection_));
    }
    Connection& operator*() { return *connection_; }

   private:
    SqliteStore* store_;
    std::unique_ptr<Connection> connection_;
  };

  SqliteStore(std::filesystem::path db_path, FileSystem& fs, SqliteOptions options,
              std::unique_ptr<ShimVfs> vfs, std::unique_ptr<BlobStore> blobs,
              std::unique_ptr<Connection> writer);

  PendingBatch prepare(WriteBatch batch, std::function<void(Result<CommitResult>)> done);
  void writer_loop() EXCLUDES(mu_);
  void commit_group(std::vector<PendingBatch>& group) REQUIRES(writer_role_);
  Result<std::vector<std::optional<Result<CommitResult>>>> apply_group(
      std::vector<PendingBatch>& group) REQUIRES(writer_role_);
  // Fails every batch of `group` not yet answered with `error`.
  void fail_group(std::vector<PendingBatch>& group, const Error& error);
  // Sets every file's mtime to the day and so its ctime to now (invariant 2).
  void restamp_times() REQUIRES(writer_role_);
  Result<ReaderLease> acquire_reader() EXCLUDES(pool_mu_);
  void release_reader(std::unique_ptr<Connection> connection) EXCLUDES(pool_mu_);
  // Reads the item row with its inline body, if any, and verifies it.
  Result<std::pair<ItemRecord, std::optional<Bytes>>> load_item(ItemId item_id, bool with_body);

  const std::filesystem::path db_path_;
  FileSystem& fs_;
  const SqliteOptions options_;
  // Declared before everything that opens connections through it.
  std::unique_ptr<ShimVfs> vfs_;
  std::unique_ptr<BlobStore> blobs_;

  Mutex mu_;
  CondVar work_cv_;
  std::deque<PendingBatch> queue_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;

  // Only the writer thread touches these after the constructor.
  ThreadRole writer_role_;
  std::unique_ptr<Connection> writer_ GUARDED_BY(writer_role_);
  // Set after an I/O error in a commit: the outcome on disk is unknown
  // (fsyncgate), so the store refuses further writes until reopened.
  std::optional<Error> poisoned_ GUARDED_BY(writer_role_);

  Mutex pool_mu_;
  std::vector<std::unique_ptr<Connection>> idle_readers_ GUARDED_BY(pool_mu_);

  std::atomic<std::uint64_t> transactions_{0};
  std::atomic<std::uint64_t> batches_{0};
  std::atomic<std::uint64_t> failed_batches_{0};

  std::thread writer_thread_;  // last: starts after everything above exists
};

}  // namespace safehouse::store::detail

#endif  // SAFEHOUSE_STORE_SQLITE_STORE_IMPL_H_
