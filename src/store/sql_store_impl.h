// SPDX-License-Identifier: AGPL-3.0-or-later
// store/sql_store_impl.h (internal): the Store written once over SqlSession
// (store/sql.h) — reader pool, writer thread, group commit, migrations —
// and the SqlEngine each database engine supplies (connections, how a write
// transaction starts, exclusive locks). Users include store/sqlite_store.h
// or store/postgres_store.h.
#ifndef SAFEHOUSE_STORE_SQL_STORE_IMPL_H_
#define SAFEHOUSE_STORE_SQL_STORE_IMPL_H_

#include <atomic>
#include <chrono>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "store/sql.h"
#include "store/store.h"
#include "store/thread_annotations.h"

namespace safehouse::store::detail {

// What differs between the engines beyond SQL text. Thread-safe: connect()
// may be called from any thread.
class SqlEngine {
 public:
  virtual ~SqlEngine() = default;
  virtual SqlDialect dialect() const = 0;
  // A new connection; `writer` for the store's one writing connection.
  virtual Result<std::unique_ptr<SqlSession>> connect(bool writer) = 0;
  // Starts a write transaction. SQLite: BEGIN IMMEDIATE (the database's
  // one write lock); PostgreSQL: BEGIN (row locks, READ COMMITTED).
  virtual Result<void> begin(SqlSession& db) = 0;
  // Inside a write transaction: holds `name` exclusively until it ends,
  // across every process sharing the database.
  virtual Result<void> lock_exclusive(SqlSession& db, std::string_view name) = 0;
  // After a commit failed with kIo: true → refuse writes until reopened
  // (SQLite: the WAL's state is unknown, "fsyncgate"); false → the
  // connection is replaced and writing goes on (PostgreSQL owns its
  // durability; a lost connection is not a lost disk).
  virtual bool poison_on_io() const = 0;
  // Runs on the writer thread after each successful COMMIT, before anyone
  // is told (SQLite: restamps its files' times, invariant 2).
  virtual void after_commit() {}
  // Where the data lives, for error messages (a path, or a URL without
  // its password).
  virtual std::string describe() const = 0;
};

// The engines, for tools that work below the Store (store/copy_store.cpp).
// sqlite_engine opens (creating) DIR/safehouse.sqlite3 in WAL mode.
Result<std::unique_ptr<SqlEngine>> sqlite_engine(const std::filesystem::path& dir, FileSystem& fs,
                                                 std::chrono::milliseconds busy_timeout);
std::unique_ptr<SqlEngine> postgres_engine(const std::string& url, int connect_timeout_s);

struct SqlStoreOptions {
  std::size_t max_batches_per_transaction = 1024;
  std::size_t reader_pool_size = 4;
  // How often a transaction that lost a deadlock or serialization conflict
  // against another server is rerun before its batches fail.
  int max_retries = 5;
};

// A batch waiting for the writer, with what was computed on the caller's
// thread: the SHA-256 of each inline body (by operation index), or the
// validation error that fails it without touching the database.
struct PendingBatch {
  WriteBatch batch;
  std::vector<Sha256> digests;
  std::optional<Error> error;
  std::function<void(Result<CommitResult>)> done;
};

// Applies one batch inside the writer's open transaction (sql_apply.cpp).
Result<CommitResult> apply_batch(SqlSession& db, SqlEngine& engine, const PendingBatch& pending);
// Brings the schema to the newest version, or refuses a newer one
// (schema.cpp). Takes the engine's write lock while it works.
Result<void> migrate_schema(SqlSession& db, SqlEngine& engine);
// The newest schema version this binary knows.
std::int64_t latest_schema_version();

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
class SqlStore final : public Store {
 public:
  // Connects, migrates the schema and starts the writer thread.
  static Result<std::unique_ptr<Store>> open(std::unique_ptr<SqlEngine> engine,
                                             std::unique_ptr<BlobStore> blobs,
                                             const SqlStoreOptions& options);
  ~SqlStore() override;

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
  Result<void> read(const std::function<Result<void>(SqlSession&)>& read) override;

  BlobStore& blobs() override { return *blobs_; }
  StoreStats stats() override;

 private:
  SqlStore(std::unique_ptr<SqlEngine> engine, std::unique_ptr<BlobStore> blobs,
           SqlStoreOptions options, std::unique_ptr<SqlSession> writer);

  PendingBatch prepare(WriteBatch batch, std::function<void(Result<CommitResult>)> done);
  void writer_loop() EXCLUDES(mu_);
  void commit_group(std::vector<PendingBatch>& group) REQUIRES(writer_role_);
  // One attempt at the group's transaction. nullopt: retry it.
  std::optional<Result<std::vector<std::optional<Result<CommitResult>>>>> try_group(
      std::vector<PendingBatch>& group) REQUIRES(writer_role_);
  Result<std::vector<std::optional<Result<CommitResult>>>> apply_group(
      std::vector<PendingBatch>& group) REQUIRES(writer_role_);
  // A connected writer session (reconnecting a lost one).
  Result<SqlSession*> writer_session() REQUIRES(writer_role_);
  // Fails every batch of `group` not yet answered with `error`.
  void fail_group(std::vector<PendingBatch>& group, const Error& error);

  // Runs `read` on a pooled connection. If the connection turns out lost
  // (the database restarted), the idle pool is dropped and `read` runs once
  // more on a new connection.
  template <typename T>
  Result<T> with_reader(const std::function<Result<T>(SqlSession&)>& read) EXCLUDES(pool_mu_);
  Result<std::unique_ptr<SqlSession>> acquire_reader() EXCLUDES(pool_mu_);
  void release_reader(std::unique_ptr<SqlSession> session) EXCLUDES(pool_mu_);
  // Reads the item row with its inline body, if any, and verifies it.
  Result<std::pair<ItemRecord, std::optional<Bytes>>> load_item(ItemId item_id, bool with_body);

  // Declared first: sessions are closed before the engine goes.
  const std::unique_ptr<SqlEngine> engine_;
  std::unique_ptr<BlobStore> blobs_;
  const SqlStoreOptions options_;

  Mutex mu_;
  CondVar work_cv_;
  std::deque<PendingBatch> queue_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;

  // Only the writer thread touches these after the constructor.
  ThreadRole writer_role_;
  std::unique_ptr<SqlSession> writer_ GUARDED_BY(writer_role_);
  // Set after an I/O error in a commit when the engine says the outcome on
  // disk is unknown (fsyncgate): the store refuses writes until reopened.
  std::optional<Error> poisoned_ GUARDED_BY(writer_role_);

  Mutex pool_mu_;
  std::vector<std::unique_ptr<SqlSession>> idle_readers_ GUARDED_BY(pool_mu_);

  std::atomic<std::uint64_t> transactions_{0};
  std::atomic<std::uint64_t> batches_{0};
  std::atomic<std::uint64_t> failed_batches_{0};

  std::thread writer_thread_;  // last: starts after everything above exists
};

}  // namespace safehouse::store::detail

#endif  // SAFEHOUSE_STORE_SQL_STORE_IMPL_H_
