// SPDX-License-Identifier: AGPL-3.0-or-later
// store/sql_store.cpp: the engine-neutral store — opening, the writer
// thread's group commit, retries, reconnects. See docs/storage.md.
#include <algorithm>
#include <future>
#include <utility>

#include "store/sql_store_impl.h"

namespace safehouse::store::detail {

SqlStore::SqlStore(std::unique_ptr<SqlEngine> engine, std::unique_ptr<BlobStore> blobs,
                   SqlStoreOptions options, std::unique_ptr<SqlSession> writer)
    : engine_(std::move(engine)),
      blobs_(std::move(blobs)),
      options_(options),
      writer_(std::move(writer)) {
  writer_thread_ = std::thread([this] { writer_loop(); });
}

Result<std::unique_ptr<Store>> SqlStore::open(std::unique_ptr<SqlEngine> engine,
                                              std::unique_ptr<BlobStore> blobs,
                                              const SqlStoreOptions& options) {
  auto writer = SAFEHOUSE_TRY(engine->connect(true));
  SAFEHOUSE_TRY_VOID(migrate_schema(*writer, *engine));
  return std::unique_ptr<Store>(
      new SqlStore(std::move(engine), std::move(blobs), options, std::move(writer)));
}

SqlStore::~SqlStore() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  work_cv_.signal_all();
  writer_thread_.join();
}

// Work done on the caller's thread, so the writer only runs SQL: validate,
// check referenced blobs exist, hash inline bodies.
PendingBatch SqlStore::prepare(WriteBatch batch, std::function<void(Result<CommitResult>)> done) {
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

void SqlStore::commit_async(WriteBatch batch, std::function<void(Result<CommitResult>)> done) {
  // An empty callback would read as "already answered" to the writer.
  if (!done) done = [](Result<CommitResult>) {};
  PendingBatch pending = prepare(std::move(batch), std::move(done));
  {
    MutexLock lock(mu_);
    queue_.push_back(std::move(pending));
  }
  work_cv_.signal();
}

Result<CommitResult> SqlStore::commit(WriteBatch batch) {
  std::promise<Result<CommitResult>> promise;
  auto future = promise.get_future();
  commit_async(std::move(batch),
               [&promise](Result<CommitResult> result) { promise.set_value(std::move(result)); });
  return future.get();
}

void SqlStore::writer_loop() {
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

// An error after which the transaction's outcome is unclear or the engine
// has rolled it back on its own: it fails the whole group, not one batch.
bool is_transaction_error(const Error& e) {
  return e.code() == ErrorCode::kIo || e.code() == ErrorCode::kOutcomeUnknown ||
         e.code() == ErrorCode::kUnavailable || e.code() == ErrorCode::kIntegrity ||
         e.code() == ErrorCode::kInternal;
}

}  // namespace

void SqlStore::fail_group(std::vector<PendingBatch>& group, const Error& error) {
  for (auto& pending : group) {
    if (!pending.done) continue;
    ++failed_batches_;
    answer(pending, error);
  }
}

Result<SqlSession*> SqlStore::writer_session() {
  if (writer_ && !writer_->broken()) return writer_.get();
  writer_.reset();
  auto connected = engine_->connect(true);
  if (!connected) return connected.error();
  writer_ = std::move(*connected);
  return writer_.get();
}

// Applies each unanswered batch under its own savepoint, so that a
// constraint failure undoes only that batch. Returns the per-batch results,
// or the error that spoils the whole transaction (already rolled back).
Result<std::vector<std::optional<Result<CommitResult>>>> SqlStore::apply_group(
    std::vector<PendingBatch>& group) {
  SqlSession& db = *writer_;
  std::vector<std::optional<Result<CommitResult>>> results(group.size());
  for (std::size_t i = 0; i < group.size(); ++i) {
    if (!group[i].done) continue;
    auto saved = db.exec("SAVEPOINT batch");
    auto result = saved ? apply_batch(db, *engine_, group[i]) : Result<CommitResult>(saved.error());
    if (!result && (is_transaction_error(result.error()) || db.last_error_retryable())) {
      (void)db.exec("ROLLBACK");
      return result.error();
    }
    if (!result) (void)db.exec("ROLLBACK TO batch");
    (void)db.exec("RELEASE batch");
    results[i] = std::move(result);
  }
  return results;
}

std::optional<Result<std::vector<std::optional<Result<CommitResult>>>>> SqlStore::try_group(
    std::vector<PendingBatch>& group) {
  using Results = Result<std::vector<std::optional<Result<CommitResult>>>>;
  auto session = writer_session();
  if (!session) return Results(session.error());
  SqlSession& db = **session;
  if (auto begun = engine_->begin(db); !begun) {
    // A connection lost while idle shows only now: nothing ran, so one
    // fresh connection gets a second try.
    if (db.broken()) return std::nullopt;
    return Results(begun.error());
  }
  auto results = apply_group(group);
  if (!results) {
    if (db.last_error_retryable()) return std::nullopt;
    if (results.error().code() == ErrorCode::kIo && engine_->poison_on_io()) {
      poisoned_ = results.error().with_context("store");
    }
    return results;
  }
  if (auto committed = db.exec("COMMIT"); !committed) {
    (void)db.exec("ROLLBACK");
    if (db.last_error_retryable()) return std::nullopt;
    // A failed fsync leaves the WAL's state unknown; a full disk does not.
    // A PostgreSQL connection lost in COMMIT leaves the outcome unknown too
    // (kOutcomeUnknown: keep the blobs), but the next transaction reconnects.
    if (committed.error().code() != ErrorCode::kUnavailable && engine_->poison_on_io()) {
      poisoned_ = committed.error().with_context("store: a commit failed; reopen the store");
    }
    return Results(committed.error());
  }
  return results;
}

void SqlStore::commit_group(std::vector<PendingBatch>& group) {
  // Batches that failed validation are answered without the database.
  for (auto& pending : group) {
    if (!pending.error) continue;
    ++failed_batches_;
    answer(pending, *pending.error);
  }
  if (std::none_of(group.begin(), group.end(), [](const auto& p) { return bool(p.done); })) return;
  if (poisoned_) return fail_group(group, *poisoned_);
  std::optional<Result<std::vector<std::optional<Result<CommitResult>>>>> results;
  for (int attempt = 0; attempt <= options_.max_retries && !results; ++attempt) {
    results = try_group(group);
  }
  if (!results) {
    return fail_group(group, Error(ErrorCode::kUnavailable,
                                   "commit: the transaction kept conflicting with other servers"));
  }
  if (!*results) return fail_group(group, results->error().with_context("commit"));
  ++transactions_;
  engine_->after_commit();
  // The blob engine's files likewise date only the latest commit.
  blobs_->restamp_times();
  // Only now, after COMMIT (and its fsync) returned, is anyone told.
  for (std::size_t i = 0; i < group.size(); ++i) {
    if (!group[i].done) continue;
    auto& result = *(**results)[i];
    if (result) {
      ++batches_;
    } else {
      ++failed_batches_;
      result = result.error().with_context("commit");
    }
    answer(group[i], std::move(result));
  }
}

StoreStats SqlStore::stats() {
  return StoreStats{transactions_.load(), batches_.load(), failed_batches_.load()};
}

}  // namespace safehouse::store::detail
