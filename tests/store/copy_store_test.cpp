// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/store/copy_store_test.cpp: `safehouse migrate`'s copy and its proof
// (store/copy_store.h). An SQLite installation with sources, cases, inline
// and blob items, settings and a transparency log is copied to a fresh
// PostgreSQL database: every table's rows and every body come out the
// same, read back through the PostgreSQL store. Then the proof is put to
// the test: a PostgreSQL trigger changes one byte (or one number) of what
// is inserted into one table, or one byte of a blob — the last — is
// changed on disk, and the copy must be refused with kIntegrity naming
// what differs. PostgreSQL is required (a failure without it, not a skip).
#include "store/copy_store.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "engines.h"
#include "store/log_store.h"
#include "tlog/note_key.h"

namespace safehouse::store {
namespace {

using testing::Engine;
using testing::EngineDatabase;
using testing::TempDir;

constexpr Day kDay = 20261205;

class CopyStoreTest : public ::testing::Test {
 protected:
  // The SQLite installation in source_: three sources with a case each,
  // inline items and blob items (directory engine, so that a test can
  // reach a blob's bytes), a setting and a log with entries.
  void SetUp() override {
    SqliteOptions options;
    options.blob_engine = BlobEngine::kDirectory;
    auto store = open_sqlite(source_.path(), FileSystem::posix(), options);
    ASSERT_TRUE(store) << store.error().message();
    for (int n = 1; n <= 3; ++n) {
      auto writer = (*store)->blobs().create_writer();
      ASSERT_TRUE(writer) << writer.error().message();
      Bytes big(200'000 + n);
      for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<std::uint8_t>(i * n + 3);
      ASSERT_TRUE((*writer)->write(big));
      ASSERT_TRUE((*writer)->finish());
      blobs_.push_back((*writer)->result());
      SourceId source{};
      source[0] = static_cast<std::uint8_t>(n);
      WriteBatch batch;
      batch.create_source(source, "amber-heron-" + std::to_string(n), kDay);
      const std::size_t op = batch.create_case(source, kDay);
      batch.add_item(CaseRef::created_by(op), Direction::kSource,
                     InlineBody{Bytes(100 + n, static_cast<std::uint8_t>(n))}, kDay);
      batch.add_item(CaseRef::created_by(op), Direction::kSource, blobs_.back(), kDay);
      batch.add_item(CaseRef::created_by(op), Direction::kReviewer,
                     InlineBody{Bytes(60, static_cast<std::uint8_t>(n + 10))}, kDay + 1);
      if (n == 1) batch.put_setting("installation/organisation", Bytes{'O', 'r', 'g'});
      auto committed = (*store)->commit(std::move(batch));
      ASSERT_TRUE(committed) << committed.error().message();
      cases_.push_back(committed->id(op));
    }
    store->reset();
    auto log = LogStore::open(source_.path(), "", FileSystem::posix());
    ASSERT_TRUE(log) << log.error().message();
    tlog::Ed25519Signer signer(tlog::Ed25519Key::generate("example-org"));
    ASSERT_TRUE((*log)->create("example-org/log", signer));
    const Bytes entries[] = {Bytes{'o', 'n', 'e', '\n'}, Bytes{'t', 'w', 'o', '\n'}};
    ASSERT_TRUE((*log)->append(entries, signer));
  }

  // Every item's record and body, by case, read through `store`.
  std::map<CaseId, std::vector<std::pair<ItemRecord, Bytes>>> everything(Store& store) {
    std::map<CaseId, std::vector<std::pair<ItemRecord, Bytes>>> out;
    for (CaseId id : cases_) {
      for (const ItemRecord& item : store.list_items(id).value()) {
        auto body = store.read_item_body(item.item_id, 1 << 20);
        EXPECT_TRUE(body) << body.error().message();
        out[id].emplace_back(item, body ? *body : Bytes{});
      }
    }
    return out;
  }

  Result<CopyReport> copy_to(const EngineDatabase& target) {
    return copy_sqlite_to_postgres(source_.path(), target.url(), BlobEngine::kDirectory,
                                   FileSystem::posix());
  }

  // A copy whose PostgreSQL side runs `statement` (PL/pgSQL, on NEW) before
  // inserting each row of `table`: refused, with kIntegrity naming `names`.
  void expect_refused_when_changed(const std::string& table, const std::string& statement,
                                   const std::string& names) {
    SCOPED_TRACE(table + ": " + statement);
    EngineDatabase target(Engine::kPostgres);
    ASSERT_FALSE(target.url().empty());
    {  // the schema first, so that the trigger has a table to sit on
      auto blobs = open_blob_store(source_.path(), FileSystem::posix(), BlobEngine::kDirectory);
      ASSERT_TRUE(blobs);
      ASSERT_TRUE(open_postgres(target.url(), std::move(*blobs)));
    }
    target.sql("CREATE FUNCTION tamper() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN " +
               statement + "; RETURN NEW; END $$; CREATE TRIGGER tamper BEFORE INSERT ON " + table +
               " FOR EACH ROW EXECUTE FUNCTION tamper()");
    auto report = copy_to(target);
    ASSERT_FALSE(report) << "a changed " << table << " was not noticed";
    EXPECT_EQ(report.error().code(), ErrorCode::kIntegrity) << report.error().message();
    EXPECT_NE(report.error().message().find(names), std::string::npos) << report.error().message();
  }

  TempDir source_;
  std::vector<BlobRef> blobs_;
  std::vector<CaseId> cases_;
};

TEST_F(CopyStoreTest, EveryRowAndBlobByteIsProven) {
  EngineDatabase target(Engine::kPostgres);
  ASSERT_FALSE(target.url().empty());
  auto report = copy_to(target);
  ASSERT_TRUE(report) << report.error().message();
  std::map<std::string, std::uint64_t> rows;
  for (const auto& table : report->tables) rows[table.name] = table.rows;
  EXPECT_EQ(rows["sources"], 3U);
  EXPECT_EQ(rows["cases"], 3U);
  EXPECT_EQ(rows["items"], 9U);
  EXPECT_GE(rows["log_tiles"], 3U);  // checkpoint, a hash tile, an entry bundle
  EXPECT_GE(rows["settings"], 2U);   // schema_version, the organisation
  EXPECT_EQ(report->inline_bodies_verified, 6U);
  EXPECT_EQ(report->blobs_verified, 3U);

  // What the PostgreSQL store reads is what the SQLite store held.
  SqliteOptions options;
  options.blob_engine = BlobEngine::kDirectory;
  auto sqlite = open_sqlite(source_.path(), FileSystem::posix(), options);
  ASSERT_TRUE(sqlite) << sqlite.error().message();
  auto blobs = open_blob_store(source_.path(), FileSystem::posix(), BlobEngine::kDirectory);
  ASSERT_TRUE(blobs);
  auto postgres = open_postgres(target.url(), std::move(*blobs));
  ASSERT_TRUE(postgres) << postgres.error().message();
  const auto before = everything(**sqlite);
  const auto after = everything(**postgres);
  ASSERT_EQ(before.size(), 3U);
  ASSERT_EQ(before.size(), after.size());
  for (const auto& [id, items] : before) {
    ASSERT_EQ(after.at(id).size(), items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
      EXPECT_EQ(after.at(id)[i].first.item_id, items[i].first.item_id);
      EXPECT_EQ(after.at(id)[i].first.sha256, items[i].first.sha256);
      EXPECT_EQ(after.at(id)[i].first.direction, items[i].first.direction);
      EXPECT_EQ(after.at(id)[i].first.day, items[i].first.day);
      EXPECT_EQ(after.at(id)[i].second, items[i].second);
    }
    EXPECT_EQ((*postgres)->get_case(id)->item_count, 3);
  }
  EXPECT_EQ((*postgres)->get_setting("installation/organisation").value(), (Bytes{'O', 'r', 'g'}));
  auto log = LogStore::open(source_.path(), target.url(), FileSystem::posix());
  ASSERT_TRUE(log);
  EXPECT_EQ((*log)->head()->checkpoint.size, 2U);
  // A second copy into the same database is refused: it holds records.
  EXPECT_EQ(copy_to(target).error().code(), ErrorCode::kConflict);
}

TEST_F(CopyStoreTest, OneChangedByteInAnyTableIsRefused) {
  expect_refused_when_changed("sources", "NEW.alias := overlay(NEW.alias placing 'Z' from 1 for 1)",
                              "table sources differs");
  expect_refused_when_changed("cases", "NEW.item_count := NEW.item_count + 1",
                              "table cases differs");
  expect_refused_when_changed("items",
                              "IF NEW.inline_body IS NOT NULL AND NEW.item_id = 1 THEN "
                              "NEW.inline_body := set_byte(NEW.inline_body, 50, "
                              "get_byte(NEW.inline_body, 50) # 1); END IF",
                              "table items differs");
  expect_refused_when_changed("items", "NEW.day := NEW.day + 1", "table items differs");
  expect_refused_when_changed("log_tiles",
                              "IF NEW.path = 'checkpoint' THEN NEW.data := set_byte(NEW.data, "
                              "length(NEW.data) - 1, get_byte(NEW.data, length(NEW.data) - 1) "
                              "# 1); END IF",
                              "table log_tiles differs");
  expect_refused_when_changed("settings",
                              "IF NEW.key = 'installation/organisation' THEN NEW.value := "
                              "set_byte(NEW.value, 0, get_byte(NEW.value, 0) # 32); END IF",
                              "table settings differs");
}

// The blobs stay in DIR/blobs; the proof reads each whole against its
// SHA-256, so the last byte counts as much as the first.
TEST_F(CopyStoreTest, OneChangedBlobByteIsRefused) {
  std::filesystem::path file;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(source_.path() / "blobs")) {
    if (entry.is_regular_file() && entry.file_size() == blobs_[1].size) file = entry.path();
  }
  ASSERT_FALSE(file.empty()) << "the second blob's file";
  {
    std::fstream blob(file, std::ios::in | std::ios::out | std::ios::binary);
    blob.seekg(-1, std::ios::end);
    char last = 0;
    blob.get(last);
    blob.seekp(-1, std::ios::end);
    blob.put(static_cast<char>(last ^ 1));
  }
  EngineDatabase target(Engine::kPostgres);
  ASSERT_FALSE(target.url().empty());
  auto report = copy_to(target);
  ASSERT_FALSE(report) << "a changed blob byte was not noticed";
  EXPECT_EQ(report.error().code(), ErrorCode::kIntegrity) << report.error().message();
  EXPECT_NE(report.error().message().find("migrate: verify: item"), std::string::npos)
      << report.error().message();
}

}  // namespace
}  // namespace safehouse::store
