// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/store/group_commit_test.cpp: the single writer merges concurrent
// batches into shared transactions, tells each caller only after COMMIT, and
// on a failed fsync or a full disk tells every caller of that transaction.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "store/faulty_file_system.h"
#include "store/sqlite_store.h"
#include "temp_dir.h"

namespace safehouse::store {
namespace {

using testing::TempDir;

constexpr Day kDay = 20261125;

SourceId source_id(int n) {
  SourceId id{};
  for (int i = 0; i < 4; ++i)
    id[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(n >> (8 * i));
  return id;
}

WriteBatch first_contact(int n) {
  WriteBatch batch;
  batch.create_source(source_id(n), "quiet-lark", kDay);
  std::size_t c = batch.create_case(source_id(n), kDay);
  batch.add_item(CaseRef::created_by(c), Direction::kSource,
                 InlineBody{Bytes(64, static_cast<std::uint8_t>(n))}, kDay);
  return batch;
}

TEST(GroupCommit, ConcurrentCommittersAllSucceedAndArePresent) {
  TempDir dir;
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  std::vector<CaseId> case_ids(kThreads * kPerThread);
  {
    auto store = *open_sqlite(dir.path(), FileSystem::posix());
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          int n = t * kPerThread + i;
          auto committed = store->commit(first_contact(n));
          if (!committed) {
            ++failures;
            continue;
          }
          case_ids[static_cast<std::size_t>(n)] = committed->id(1);
        }
      });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(failures.load(), 0);
    StoreStats stats = store->stats();
    EXPECT_EQ(stats.batches, static_cast<std::uint64_t>(kThreads * kPerThread));
    EXPECT_LE(stats.transactions, stats.batches);
    EXPECT_EQ(stats.failed_batches, 0u);
  }
  auto store = *open_sqlite(dir.path(), FileSystem::posix());
  CaseQuery all;
  all.limit = kMaxListLimit;
  EXPECT_EQ(store->list_cases(all)->size(), static_cast<std::size_t>(kThreads * kPerThread));
  for (int n = 0; n < kThreads * kPerThread; ++n) {
    auto c = store->get_case(case_ids[static_cast<std::size_t>(n)]);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->source_id, source_id(n));
    EXPECT_EQ(c->item_count, 1);
  }
}

// Holds the writer inside a database fsync until released, so that batches
// queue up behind it deterministically — no timing involved.
class SyncGate {
 public:
  void install(FaultyFileSystem& fs) {
    fs.set_sync_hook([this] {
      std::unique_lock lock(mu_);
      if (!armed_) return;
      armed_ = false;
      blocked_ = true;
      cv_.notify_all();
      cv_.wait(lock, [this] { return released_; });
    });
  }
  void arm() {
    std::lock_guard lock(mu_);
    armed_ = true;
  }
  void wait_until_blocked() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return blocked_; });
  }
  void release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool armed_ = false;
  bool blocked_ = false;
  bool released_ = false;
};

struct Outcomes {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Result<CommitResult>> results;
  void add(Result<CommitResult> r) {
    std::lock_guard lock(mu);
    results.push_back(std::move(r));
    cv.notify_all();
  }
  void wait_for(std::size_t n) {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return results.size() >= n; });
  }
};

TEST(GroupCommit, BatchesQueuedDuringASyncShareOneTransaction) {
  TempDir dir;
  FaultyFileSystem fs(FileSystem::posix());
  SyncGate gate;
  gate.install(fs);
  auto store = *open_sqlite(dir.path(), fs);
  Outcomes outcomes;
  gate.arm();
  store->commit_async(first_contact(0),
                      [&](Result<CommitResult> r) { outcomes.add(std::move(r)); });
  gate.wait_until_blocked();  // the first transaction is in its fsync
  constexpr int kQueued = 50;
  for (int n = 1; n <= kQueued; ++n) {
    store->commit_async(first_contact(n),
                        [&](Result<CommitResult> r) { outcomes.add(std::move(r)); });
  }
  EXPECT_EQ(outcomes.results.size(), 0u);  // nobody is told before COMMIT returns
  gate.release();
  outcomes.wait_for(kQueued + 1);
  for (auto& r : outcomes.results) EXPECT_TRUE(r) << r.error().message();
  StoreStats stats = store->stats();
  EXPECT_EQ(stats.batches, static_cast<std::uint64_t>(kQueued + 1));
  EXPECT_EQ(stats.transactions, 2u);  // the first alone, then all 50 together
}

TEST(GroupCommit, AConstraintFailureInAGroupFailsOnlyThatBatch) {
  TempDir dir;
  FaultyFileSystem fs(FileSystem::posix());
  SyncGate gate;
  gate.install(fs);
  auto store = *open_sqlite(dir.path(), fs);
  Outcomes outcomes;
  ASSERT_TRUE(store->commit(first_contact(7)));
  gate.arm();
  store->commit_async(first_contact(100),
                      [&](Result<CommitResult> r) { outcomes.add(std::move(r)); });
  gate.wait_until_blocked();
  std::vector<Result<CommitResult>> in_group(3);
  for (int i = 0; i < 3; ++i) {
    int n = i == 1 ? 7 : 200 + i;  // the middle one duplicates source 7
    store->commit_async(first_contact(n), [&, i](Result<CommitResult> r) {
      in_group[static_cast<std::size_t>(i)] = std::move(r);
      outcomes.add(Error(ErrorCode::kInternal, "placeholder"));
    });
  }
  gate.release();
  outcomes.wait_for(4);
  EXPECT_TRUE(in_group[0]);
  ASSERT_FALSE(in_group[1]);
  EXPECT_EQ(in_group[1].error().code(), ErrorCode::kConflict);
  EXPECT_TRUE(in_group[2]);
  EXPECT_EQ(store->stats().transactions, 3u);
  CaseQuery all;
  EXPECT_EQ(store->list_cases(all)->size(), 4u);  // 7, 100, 200, 202
}

TEST(GroupCommit, FailedDatabaseFsyncFailsTheCommitAndStopsWrites) {
  TempDir dir;
  FaultyFileSystem fs(FileSystem::posix());
  auto store = *open_sqlite(dir.path(), fs);
  ASSERT_TRUE(store->commit(first_contact(1)));
  fs.fail_sync(1);
  auto failed = store->commit(first_contact(2));
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code(), ErrorCode::kIo);
  // The disk's state is unknown after a failed fsync: refuse, don't retry.
  auto refused = store->commit(first_contact(3));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kIo);
  EXPECT_TRUE(store->get_source(source_id(1)));  // reads still work
  store.reset();
  auto reopened = *open_sqlite(dir.path(), FileSystem::posix());
  EXPECT_TRUE(reopened->get_source(source_id(1)));
  EXPECT_FALSE(reopened->get_source(source_id(3)));
  EXPECT_TRUE(reopened->commit(first_contact(4)));
}

TEST(GroupCommit, FullDiskFailsTheCommitWithoutLosingEarlierOnes) {
  TempDir dir;
  FaultyFileSystem fs(FileSystem::posix());
  auto store = *open_sqlite(dir.path(), fs);
  ASSERT_TRUE(store->commit(first_contact(1)));
  fs.set_space_left(0);
  auto failed = store->commit(first_contact(2));
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code(), ErrorCode::kUnavailable);
  EXPECT_FALSE(store->get_source(source_id(2)));
  fs.set_space_left(FaultyFileSystem::kNever);  // space freed: writes resume
  EXPECT_TRUE(store->commit(first_contact(3)));
  store.reset();
  auto reopened = *open_sqlite(dir.path(), FileSystem::posix());
  EXPECT_TRUE(reopened->get_source(source_id(1)));
  EXPECT_FALSE(reopened->get_source(source_id(2)));
  EXPECT_TRUE(reopened->get_source(source_id(3)));
}

}  // namespace
}  // namespace safehouse::store
