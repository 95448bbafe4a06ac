// SPDX-License-Identifier: AGPL-3.0-or-later
// store/sqlite_store.cpp: the SQLite engine — opening, the writer thread's
// group commit, and the reads. See docs/storage.md for the design.
#include "store/sqlite_store.h"

#include <algorithm>
#include <future>
#include <utility>

#include "store/sqlite_store_impl.h"

namespace safehouse::store {

Result<std::unique_ptr<Store>> open_sqlite(const std::filesystem::path& dir, FileSystem& fs,
                                           const SqliteOptions& options) {
  auto store = detail::SqliteStore::open(dir, fs, options);
  if (!store) return store.error().with_context("open store " + dir.string());
  return store;
}

namespace detail {

SqliteStore::SqliteStore(std::filesystem::path db_path, FileSystem& fs, SqliteOptions options,
                         std::unique_ptr<ShimVfs> vfs, std::unique_ptr<BlobStore> blobs,
                         std::unique_ptr<Connection> writer)
    : db_path_(std::move(db_path)),
      fs_(fs),
      options_(options),
      vfs_(std::move(vfs)),
      blobs_(std::move(blobs)),
      writer_(std::move(writer)) {
  writer_thread_ = std::thread([this] { writer_loop(); });
}

Result<std::unique_ptr<Store>> SqliteStore::open(const std::filesystem::path& dir, FileSystem& fs,
                                                 const SqliteOptions& options) {
  SAFEHOUSE_TRY_VOID(fs.create_directories(dir));
  auto blobs = SAFEHOUSE_TRY(open_blob_store(dir, fs, options.blob_engine));
  auto vfs = SAFEHOUSE_TRY(ShimVfs::create(fs));
  std::filesystem::path db_path = dir / kSqliteFileName;
  bool existed = SAFEHOUSE_TRY(fs.exists(db_path));
  auto writer = SAFEHOUSE_TRY(Connection::open(db_path, vfs->name(), options.busy_timeout, false));
  SAFEHOUSE_TRY_VOID(ensure_schema(*writer));
  // A new database file's directory entry must be durable too.
  if (!existed) SAFEHOUSE_TRY_VOID(fs.sync_directory(dir));
  return std::unique_ptr<Store>(
      new SqliteStore(db_path, fs, options, std::move(vfs), std::move(blobs), std::move(writer)));
}

SqliteStore::~SqliteStore() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  work_cv_.signal_all();
  writer_thread_.join();
}

// Work done on the caller's thread, so the writer only runs SQL: validate,
// check referenced blobs exist, hash inline bodies.
PendingBatch SqliteStore::prepare(WriteBatch batch,
                                  std::function<void(Result<CommitResult>)> done) {
  PendingBatch pending{std::move(batch), {}, std::nullopt, std::move(done)};
  auto fail = [&](Error e) { pending.error = e.with_context("commit"); };
  if (auto valid = pending.batch.validate(); !valid) {
    fail(valid.error());
    return pending;
  }
  const auto& ops = pending.batch.operations();
  pending.digests.resize(ops.size());
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const auto* add = std::get_if<AddItem>(&ops[i]);
    if (add == nullptr) continue;
    if (const auto* body = std::get_if<InlineBody>(&add->body)) {
      pending.digests[i] = sha256_of(body->ciphertext);
      continue;
    }
    auto present = blobs_->contains(std::get<BlobRef>(add->body));
    if (!present) {
      fail(present.error());
    } else if (!*present) {
      fail(Error(ErrorCode::kNotFound, "operation " + std::to_string(i) + ": no such blob"));
    }
    if (pending.error) return pending;
  }
  return pending;
}

void SqliteStore::commit_async(WriteBatch batch, std::function<void(Result<CommitResult>)> done) {
  // An empty callback would read as "already answered" to the writer.
  if (!done) done = [](Result<CommitResult>) {};
  PendingBatch pending = prepare(std::move(batch), std::move(done));
  {
    MutexLock lock(mu_);
    queue_.push_back(std::move(pending));
  }
  work_cv_.signal();
}

Result<CommitResult> SqliteStore::commit(WriteBatch batch) {
  std::promise<Result<CommitResult>> promise;
  auto future = promise.get_future();
  commit_async(std::move(batch),
               [&promise](Result<CommitResult> result) { promise.set_value(std::move(result)); });
  return future.get();
}

void SqliteStore::writer_loop() {
  writer_role_.assert_held();
  for (;;) {
    std::vector<PendingBatch> group;
    {
      MutexLock lock(mu_);
      while (queue_.empty() && !stopping_) work_cv_.wait(mu_);
      if (queue_.empty()) return;  // stopping, and everything queued is done
      // Everything that queued up while the last transaction was syncing
      // goes into this one: that is the group commit.
      while (!queue_.empty() && group.size() < options_.max_batches_per_transaction) {
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    commit_group(group);
  }
}

namespace {

// Runs a batch's callback once; an answered batch has no callback left.
void answer(PendingBatch& pending, Result<CommitResult> result) {
  auto done = std::move(pending.done);
  pending.done = nullptr;
  done(std::move(result));
}

// An error after which the transaction's outcome is unclear or SQLite has
// rolled it back on its own: it fails the whole group, not one batch.
bool is_transaction_error(const Error& e) {
  return e.code() == ErrorCode::kIo || e.code() == ErrorCode::kUnavailable ||
         e.code() == ErrorCode::kIntegrity || e.code() == ErrorCode::kInternal;
}

}  // namespace

void SqliteStore::fail_group(std::vector<PendingBatch>& group, const Error& error) {
  for (auto& pending : group) {
    if (!pending.done) continue;
    ++failed_batches_;
    answer(pending, error);
  }
}

// Applies each unanswered batch under its own savepoint, so that a
// constraint failure undoes only that batch. Returns the per-batch results,
// or the error that spoils the whole transaction (already rolled back).
Result<std::vector<std::optional<Result<CommitResult>>>> SqliteStore::apply_group(
    std::vector<PendingBatch>& group) {
  Connection& db = *writer_;
  std::vector<std::optional<Result<CommitResult>>> results(group.size());
  for (std::size_t i = 0; i < group.size(); ++i) {
    if (!group[i].done) continue;
    auto result = db.exec("SAVEPOINT batch").has_value()
                      ? apply_batch(db, group[i])
                      : Result<CommitResult>(io_error("sqlite: savepoint failed"));
    if (!result && is_transaction_error(result.error())) {
      if (!sqlite3_get_autocommit(db.handle())) (void)db.exec("ROLLBACK");
      if (result.error().code() == ErrorCode::kIo) poisoned_ = result.error().with_context("store");
      return result.error();
    }
    if (!result) (void)db.exec("ROLLBACK TO batch");
    (void)db.exec("RELEASE batch");
    results[i] = std::move(result);
  }
  return results;
}

void SqliteStore::commit_group(std::vector<PendingBatch>& group) {
  // Batches that failed validation are answered without the database.
  for (auto& pending : group) {
    if (!pending.error) continue;
    ++failed_batches_;
    answer(pending, *pending.error);
  }
  if (std::none_of(group.begin(), group.end(), [](const auto& p) { return bool(p.done); })) return;
  if (poisoned_) return fail_group(group, *poisoned_);
  Connection& db = *writer_;
  if (auto begun = db.exec("BEGIN IMMEDIATE"); !begun) {
    return fail_group(group, begun.error().with_context("commit"));
  }
  auto results = apply_group(group);
  if (!results) return fail_group(group, results.error().with_context("commit"));
  if (auto committed = db.exec("COMMIT"); !committed) {
    if (!sqlite3_get_autocommit(db.handle())) (void)db.exec("ROLLBACK");
    // A failed fsync leaves the WAL's state unknown; a full disk does not.
    if (committed.error().code() != ErrorCode::kUnavailable) {
      poisoned_ = committed.error().with_context("store: a commit failed; reopen the store");
    }
    return fail_group(group, committed.error().with_context("commit"));
  }
  ++transactions_;
  restamp_times();
  // Only now, after COMMIT (and its fsync) returned, is anyone told.
  for (std::size_t i = 0; i < group.size(); ++i) {
    if (!group[i].done) continue;
    auto& result = *(*results)[i];
    if (result) {
      ++batches_;
    } else {
      ++failed_batches_;
      result = result.error().with_context("commit");
    }
    answer(group[i], std::move(result));
  }
}

// Every file this commit wrote now has its time as ctime and mtime; the
// files it did not write (the WAL after a checkpoint, the main file, the
// blob engine's) still carry an earlier commit's. Setting all their
// modification times to the day sets all their ctimes to now: whatever the
// commit touched, the files date only the latest one (invariant 2).
void SqliteStore::restamp_times() {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::path path = db_path_;
    path += suffix;
    (void)fs_.truncate_times_to_day(path);
  }
  blobs_->restamp_times();
}

StoreStats SqliteStore::stats() {
  return StoreStats{transactions_.load(), batches_.load(), failed_batches_.load()};
}

}  // namespace detail
}  // namespace safehouse::store
