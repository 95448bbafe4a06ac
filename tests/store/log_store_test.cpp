// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/store/log_store_test.cpp: the transparency log in the database
// (store/log_store.h) on both engines: creation, appends and their
// checkpoints, served paths, appends from two processes' worth of
// connections at once (no fork, no gap), and a tampered tile refused.
#include "store/log_store.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engines.h"
#include "tlog/merkle.h"
#include "tlog/note_key.h"
#include "tlog/tile.h"

namespace safehouse::store {
namespace {

using testing::Engine;
using testing::EngineDatabase;

class LogStoreTest : public ::testing::TestWithParam<Engine> {
 protected:
  Result<std::unique_ptr<LogStore>> open() {
    return LogStore::open(db_.dir(), db_.engine() == Engine::kSqlite ? "" : db_.url(),
                          FileSystem::posix());
  }
  // Runs `sql` on the test's database.
  void run_sql(const std::string& sql) {
    if (db_.engine() == Engine::kSqlite) {
      testing::sqlite_sql(db_.dir(), sql);
    } else {
      testing::pg_sql(db_.url(), sql);
    }
  }

  EngineDatabase db_{GetParam()};
  tlog::Ed25519Signer signer_{tlog::Ed25519Key::generate("example-org")};
};
INSTANTIATE_TEST_SUITE_P(Engines, LogStoreTest,
                         ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         testing::engine_name);

Bytes entry(const std::string& text) {
  return Bytes(text.begin(), text.end());
}

std::string text_of(const Bytes& bytes) {
  return std::string(bytes.begin(), bytes.end());
}

TEST_P(LogStoreTest, CreateSignsAnEmptyCheckpointOnce) {
  auto log = open();
  ASSERT_TRUE(log) << log.error().message();
  auto none = (*log)->head();
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code(), ErrorCode::kNotFound);

  auto head = (*log)->create("example-org/log", signer_);
  ASSERT_TRUE(head) << head.error().message();
  EXPECT_EQ(head->checkpoint.origin, "example-org/log");
  EXPECT_EQ(head->checkpoint.size, 0u);
  EXPECT_EQ(head->checkpoint.root, tlog::empty_root());
  const auto verifier = signer_.verifier();
  auto opened = tlog::open_checkpoint(head->note, "example-org/log", verifier);
  ASSERT_TRUE(opened) << opened.error().message();

  // Served as it was signed; a second create changes nothing.
  auto served = (*log)->read("checkpoint");
  ASSERT_TRUE(served);
  EXPECT_EQ(text_of(*served), head->note);
  tlog::Ed25519Signer other(tlog::Ed25519Key::generate("other"));
  auto again = (*log)->create("other/log", other);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->note, head->note);
}

// Witnesses' cosignatures: kept per witness, never moved back to a smaller
// size, and served with the checkpoint only while it is the one cosigned.
TEST_P(LogStoreTest, CosignaturesAreKeptAndServedWithTheirCheckpoint) {
  auto log = open();
  ASSERT_TRUE(log);
  auto head = (*log)->create("example-org/log", signer_);
  ASSERT_TRUE(head);
  auto text = tlog::parse_note(head->note)->text;
  const std::string line_a = tlog::format_signature_line({"witness-a", 1, Bytes(72, 0xaa)});
  const std::string line_b = tlog::format_signature_line({"witness-b", 2, Bytes(72, 0xbb)});
  ASSERT_TRUE((*log)->save_cosignature({"witness-a+00000001+key", 0, text, line_a}));
  auto served = (*log)->cosigned_checkpoint();
  ASSERT_TRUE(served) << served.error().message();
  EXPECT_EQ(text_of(*served), head->note + line_a);

  const Bytes entries[] = {entry("a\n")};
  auto appended = (*log)->append(entries, signer_);
  ASSERT_TRUE(appended);
  // The new checkpoint has no cosignature yet: served bare.
  EXPECT_EQ(text_of(*(*log)->cosigned_checkpoint()), appended->head.note);
  const std::string text1 = tlog::parse_note(appended->head.note)->text;
  ASSERT_TRUE((*log)->save_cosignature({"witness-b+00000002+key", 1, text1, line_b}));
  ASSERT_TRUE((*log)->save_cosignature({"witness-a+00000001+key", 1, text1, line_a}));
  EXPECT_EQ(text_of(*(*log)->cosigned_checkpoint()), appended->head.note + line_a + line_b);
  // A late answer for the older checkpoint does not replace the newer one.
  ASSERT_TRUE((*log)->save_cosignature({"witness-a+00000001+key", 0, text, line_a}));
  auto all = (*log)->cosignatures();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].witness, "witness-a+00000001+key");
  EXPECT_EQ((*all)[0].size, 1u);
  EXPECT_EQ((*all)[0].checkpoint, text1);
  // The raw checkpoint path stays the log's own note.
  EXPECT_EQ(text_of(*(*log)->read("checkpoint")), appended->head.note);
}

TEST_P(LogStoreTest, AppendBeforeCreateIsRefused) {
  auto log = open();
  ASSERT_TRUE(log);
  const Bytes entries[] = {entry("a\n")};
  auto appended = (*log)->append(entries, signer_);
  ASSERT_FALSE(appended);
  EXPECT_EQ(appended.error().code(), ErrorCode::kNotFound);
}

TEST_P(LogStoreTest, AppendsPublishCheckpointsOverTheirTiles) {
  auto log = open();
  ASSERT_TRUE(log);
  ASSERT_TRUE((*log)->create("example-org/log", signer_));
  std::vector<Bytes> all;
  for (int i = 0; i < 300; ++i) all.push_back(entry("entry " + std::to_string(i) + "\n"));

  auto first = (*log)->append(std::span(all).first(3), signer_);
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_EQ(first->first_index, 0u);
  EXPECT_EQ(first->head.checkpoint.size, 3u);
  auto rest = (*log)->append(std::span(all).subspan(3), signer_);
  ASSERT_TRUE(rest) << rest.error().message();
  EXPECT_EQ(rest->first_index, 3u);
  EXPECT_EQ(rest->head.checkpoint.size, 300u);

  std::vector<tlog::Hash> leaves;
  for (const Bytes& e : all) leaves.push_back(tlog::leaf_hash(e));
  EXPECT_EQ(rest->head.checkpoint.root, tlog::root_of(leaves));
  const auto verifier = signer_.verifier();
  ASSERT_TRUE(tlog::open_checkpoint(rest->head.note, "example-org/log", verifier));

  // The tiles of size 300 are there, as tlog-tiles names them.
  auto full = (*log)->read("tile/entries/000");
  ASSERT_TRUE(full) << full.error().message();
  auto bundle = tlog::parse_entry_bundle(*full, 256);
  ASSERT_TRUE(bundle);
  EXPECT_EQ((*bundle)[255], all[255]);
  auto partial = (*log)->read("tile/entries/001.p/44");
  ASSERT_TRUE(partial);
  auto level0 = (*log)->read("tile/0/001.p/44");
  ASSERT_TRUE(level0);
  auto hashes = tlog::parse_hash_tile(*level0, 44);
  ASSERT_TRUE(hashes);
  EXPECT_EQ((*hashes)[43], leaves[299]);
  // The partial tiles of the older size stay (a reader may hold that checkpoint).
  EXPECT_TRUE((*log)->read("tile/entries/000.p/3"));

  auto missing = (*log)->read("tile/0/002");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  auto bad = (*log)->read("tile/../checkpoint");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);

  // Reopened: the log goes on where it was.
  log->reset();
  auto reopened = open();
  ASSERT_TRUE(reopened);
  const Bytes more[] = {entry("after reopening\n")};
  auto after = (*reopened)->append(more, signer_);
  ASSERT_TRUE(after) << after.error().message();
  EXPECT_EQ(after->first_index, 300u);
}

// Two LogStores (as two servers would hold) append at once: every append
// gets its own range of indexes, and the final tree holds every entry once.
TEST_P(LogStoreTest, ConcurrentAppendsNeitherForkNorLeaveGaps) {
  auto a = open();
  auto b = open();
  ASSERT_TRUE(a && b);
  ASSERT_TRUE((*a)->create("example-org/log", signer_));
  constexpr int kPerWriter = 15;
  std::vector<std::uint64_t> firsts[2];
  auto writer = [&](LogStore& log, int who) {
    for (int i = 0; i < kPerWriter; ++i) {
      const Bytes batch[] = {entry("w" + std::to_string(who) + " " + std::to_string(i) + " a\n"),
                             entry("w" + std::to_string(who) + " " + std::to_string(i) + " b\n")};
      auto appended = log.append(batch, signer_);
      ASSERT_TRUE(appended) << appended.error().message();
      firsts[who].push_back(appended->first_index);
    }
  };
  std::thread ta(writer, std::ref(**a), 0);
  std::thread tb(writer, std::ref(**b), 1);
  ta.join();
  tb.join();

  std::set<std::uint64_t> starts;
  for (const auto& f : firsts)
    for (std::uint64_t s : f) starts.insert(s);
  ASSERT_EQ(starts.size(), 2u * kPerWriter);
  std::uint64_t expected = 0;
  for (std::uint64_t s : starts) {
    EXPECT_EQ(s, expected);
    expected += 2;
  }
  auto head = (*b)->head();
  ASSERT_TRUE(head);
  ASSERT_EQ(head->checkpoint.size, 4u * kPerWriter);
  auto data = (*a)->read("tile/entries/000.p/60");
  ASSERT_TRUE(data) << data.error().message();
  auto bundle = tlog::parse_entry_bundle(*data, 60);
  ASSERT_TRUE(bundle);
  std::set<std::string> seen;
  std::vector<tlog::Hash> leaves;
  for (const Bytes& e : *bundle) {
    seen.insert(text_of(e));
    leaves.push_back(tlog::leaf_hash(e));
  }
  EXPECT_EQ(seen.size(), 60u);
  EXPECT_EQ(head->checkpoint.root, tlog::root_of(leaves));
}

TEST_P(LogStoreTest, TamperedTilesAreRefusedOnAppend) {
  auto log = open();
  ASSERT_TRUE(log);
  ASSERT_TRUE((*log)->create("example-org/log", signer_));
  const Bytes batch[] = {entry("one\n"), entry("two\n")};
  ASSERT_TRUE((*log)->append(batch, signer_));
  // Someone with the database rewrites the level-0 tile.
  const std::string blob = db_.engine() == Engine::kSqlite
                               ? "zeroblob(64)"
                               : "'\\x" + std::string(128, '0') + "'::bytea";
  run_sql("UPDATE log_tiles SET data = " + blob + " WHERE path = 'tile/0/000.p/2'");
  const Bytes more[] = {entry("three\n")};
  auto appended = (*log)->append(more, signer_);
  ASSERT_FALSE(appended);
  EXPECT_EQ(appended.error().code(), ErrorCode::kIntegrity) << appended.error().message();
  // Nothing was published.
  auto head = (*log)->head();
  ASSERT_TRUE(head);
  EXPECT_EQ(head->checkpoint.size, 2u);
}

}  // namespace
}  // namespace safehouse::store
