// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/store/sqlite_store_test.cpp: the SQLite engine's records, reads,
// durability across reopen, per-batch failure, and tampered data.
#include "store/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>

#include "store/directory_blob_store.h"
#include "store/faulty_file_system.h"
#include "temp_dir.h"

namespace safehouse::store {
namespace {

using testing::TempDir;

constexpr Day kDay = 20261125;

SourceId source_id(std::uint8_t n) {
  SourceId id{};
  id.fill(n);
  return id;
}

Bytes ciphertext(std::size_t n, std::uint8_t seed) {
  Bytes out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(seed + i * 13);
  return out;
}

std::unique_ptr<Store> open_or_die(const std::filesystem::path& dir, FileSystem& fs) {
  auto store = open_sqlite(dir, fs);
  if (!store) ADD_FAILURE() << store.error().message();
  return store ? std::move(*store) : nullptr;
}

// First contact: source + case + first item, in one batch.
WriteBatch first_contact(std::uint8_t n, Bytes body, Day day = kDay) {
  WriteBatch batch;
  batch.create_source(source_id(n), "amber-heron", day);
  std::size_t c = batch.create_case(source_id(n), day);
  batch.add_item(CaseRef::created_by(c), Direction::kSource, InlineBody{std::move(body)}, day);
  return batch;
}

// Runs `sql` on the database file directly, outside the store.
void raw_sql(const std::filesystem::path& dir, const char* sql,
             std::string* first_value = nullptr) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir / kSqliteFileName).c_str(), &db), SQLITE_OK);
  auto callback = [](void* out, int, char** values, char**) {
    if (out != nullptr && values[0] != nullptr) *static_cast<std::string*>(out) = values[0];
    return 0;
  };
  char* error = nullptr;
  int rc = sqlite3_exec(db, sql, callback, first_value, &error);
  EXPECT_EQ(rc, SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

TEST(SqliteStore, FirstContactAssignsIdsAndReadsBack) {
  TempDir dir;
  auto store = open_or_die(dir.path(), FileSystem::posix());
  ASSERT_TRUE(store);
  Bytes body = ciphertext(500, 1);
  auto committed = store->commit(first_contact(1, body));
  ASSERT_TRUE(committed) << committed.error().message();
  CaseId case_id = committed->id(1);
  ItemId item_id = committed->id(2);
  EXPECT_EQ(committed->id(0), 0);
  EXPECT_GT(case_id, 0);
  EXPECT_GT(item_id, 0);

  auto source = store->get_source(source_id(1));
  ASSERT_TRUE(source);
  EXPECT_EQ(source->alias, "amber-heron");
  EXPECT_EQ(source->created_day, kDay);

  auto c = store->get_case(case_id);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->source_id, source_id(1));
  EXPECT_EQ(c->status, CaseStatus::kReceived);
  EXPECT_EQ(c->item_count, 1);
  EXPECT_EQ(c->last_event_day, kDay);

  auto item = store->get_item(item_id);
  ASSERT_TRUE(item);
  EXPECT_EQ(item->case_id, case_id);
  EXPECT_EQ(item->sha256, sha256_of(body));
  EXPECT_EQ(item->ciphertext_size, 500u);
  EXPECT_EQ(item->location, BodyLocation::kInline);
  EXPECT_EQ(*store->read_item_body(item_id, 1 << 20), body);
}

TEST(SqliteStore, FollowUpsRepliesAndStatusUpdateTheCase) {
  TempDir dir;
  auto store = open_or_die(dir.path(), FileSystem::posix());
  CaseId case_id = store->commit(first_contact(1, ciphertext(10, 1)))->id(1);

  auto blob_writer = *store->blobs().create_writer();
  Bytes big = ciphertext(200000, 9);
  ASSERT_TRUE(blob_writer->write(big));
  ASSERT_TRUE(blob_writer->finish());

  WriteBatch follow_up;
  follow_up.add_item(CaseRef::existing(case_id), Direction::kSource, blob_writer->result(),
                     20261126);
  follow_up.add_item(CaseRef::existing(case_id), Direction::kReviewer,
                     InlineBody{ciphertext(20, 2)}, 20261127);
  follow_up.set_case_status(case_id, CaseStatus::kTriage, 20261127);
  auto committed = store->commit(std::move(follow_up));
  ASSERT_TRUE(committed) << committed.error().message();

  auto c = *store->get_case(case_id);
  EXPECT_EQ(c.item_count, 3);
  EXPECT_EQ(c.status, CaseStatus::kTriage);
  EXPECT_EQ(c.last_event_day, 20261127);
  EXPECT_EQ(c.created_day, kDay);

  auto items = *store->list_items(case_id);
  ASSERT_EQ(items.size(), 3u);
  EXPECT_LT(items[0].item_id, items[1].item_id);
  EXPECT_LT(items[1].item_id, items[2].item_id);
  EXPECT_EQ(items[1].location, BodyLocation::kBlob);
  EXPECT_EQ(items[1].ciphertext_size, big.size());
  EXPECT_EQ(items[2].direction, Direction::kReviewer);
  EXPECT_EQ(*store->read_item_body(items[1].item_id, 1 << 20), big);

  auto source = *store->open_item_body(items[2].item_id);
  Bytes streamed(100);
  EXPECT_EQ(*source->read(streamed), 20u);
}

TEST(SqliteStore, ListCasesFiltersAndPages) {
  TempDir dir;
  auto store = open_or_die(dir.path(), FileSystem::posix());
  std::vector<CaseId> ids;
  for (std::uint8_t n = 1; n <= 5; ++n)
    ids.push_back(store->commit(first_contact(n, ciphertext(5, n)))->id(1));
  WriteBatch status;
  status.set_case_status(ids[1], CaseStatus::kVerifying, kDay);
  status.set_case_status(ids[3], CaseStatus::kVerifying, kDay);
  ASSERT_TRUE(store->commit(std::move(status)));
  WriteBatch another;
  another.create_case(source_id(3), kDay);
  ASSERT_TRUE(store->commit(std::move(another)));

  EXPECT_EQ(store->list_cases({})->size(), 6u);
  CaseQuery verifying;
  verifying.status = CaseStatus::kVerifying;
  auto v = *store->list_cases(verifying);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].case_id, ids[1]);
  EXPECT_EQ(v[1].case_id, ids[3]);
  CaseQuery of_source;
  of_source.source_id = source_id(3);
  EXPECT_EQ(store->list_cases(of_source)->size(), 2u);
  CaseQuery page;
  page.limit = 2;
  page.after_case_id = ids[1];
  auto p = *store->list_cases(page);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].case_id, ids[2]);
  CaseQuery bad;
  bad.limit = 0;
  EXPECT_EQ(store->list_cases(bad).error().code(), ErrorCode::kInvalidArgument);
}

TEST(SqliteStore, CommittedDataSurvivesReopenAndPassesIntegrityCheck) {
  TempDir dir;
  CaseId case_id = 0;
  {
    auto store = open_or_die(dir.path(), FileSystem::posix());
    case_id = store->commit(first_contact(1, ciphertext(100, 1)))->id(1);
    WriteBatch setting;
    setting.put_setting("installation", Bytes{1, 2, 3});
    ASSERT_TRUE(store->commit(std::move(setting)));
  }
  auto store = open_or_die(dir.path(), FileSystem::posix());
  ASSERT_TRUE(store);
  EXPECT_EQ(store->get_case(case_id)->item_count, 1);
  EXPECT_EQ(*store->get_setting("installation"), (Bytes{1, 2, 3}));
  EXPECT_EQ(*store->get_setting("schema_version"), Bytes{'1'});
  store.reset();
  std::string integrity;
  raw_sql(dir.path(), "PRAGMA integrity_check", &integrity);
  EXPECT_EQ(integrity, "ok");
  std::string mode;
  raw_sql(dir.path(), "PRAGMA journal_mode", &mode);
  EXPECT_EQ(mode, "wal");
}

TEST(SqliteStore, AFailingBatchFailsAloneAndChangesNothing) {
  TempDir dir;
  auto store = open_or_die(dir.path(), FileSystem::posix());
  ASSERT_TRUE(store->commit(first_contact(1, ciphertext(10, 1))));
  // Same source again: the case and item of this batch must not appear.
  auto duplicate = store->commit(first_contact(1, ciphertext(10, 2)));
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().code(), ErrorCode::kConflict);
  EXPECT_EQ(store->list_cases({})->size(), 1u);

  WriteBatch missing_case;
  missing_case.add_item(CaseRef::existing(999), Direction::kSource, InlineBody{ciphertext(3, 1)},
                        kDay);
  EXPECT_EQ(store->commit(std::move(missing_case)).error().code(), ErrorCode::kNotFound);
  WriteBatch missing_source;
  missing_source.create_case(source_id(42), kDay);
  EXPECT_EQ(store->commit(std::move(missing_source)).error().code(), ErrorCode::kNotFound);
  WriteBatch missing_status;
  missing_status.set_case_status(999, CaseStatus::kRejected, kDay);
  EXPECT_EQ(store->commit(std::move(missing_status)).error().code(), ErrorCode::kNotFound);
  WriteBatch missing_blob;
  missing_blob.add_item(CaseRef::existing(1), Direction::kSource,
                        BlobRef{sha256_of(as_bytes("x")), 1}, kDay);
  EXPECT_EQ(store->commit(std::move(missing_blob)).error().code(), ErrorCode::kNotFound);
  // Earlier operations of a failing batch are undone too.
  WriteBatch half_good;
  half_good.create_source(source_id(43), "late-owl", kDay);
  half_good.add_item(CaseRef::existing(999), Direction::kSource, InlineBody{ciphertext(3, 1)},
                     kDay);
  EXPECT_EQ(store->commit(std::move(half_good)).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store->get_source(source_id(43)).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store->list_cases({})->size(), 1u);
  EXPECT_EQ(store->get_case(1)->item_count, 1);
  EXPECT_EQ(store->stats().failed_batches, 6u);
}

TEST(SqliteStore, ValidationRejectsBadBatches) {
  TempDir dir;
  auto store = open_or_die(dir.path(), FileSystem::posix());
  EXPECT_EQ(store->commit(WriteBatch{}).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(store->commit(first_contact(1, ciphertext(5, 1), 20261131)).error().code(),
            ErrorCode::kInvalidArgument);  // 31 November
  EXPECT_EQ(store->commit(first_contact(1, ciphertext(kMaxInlineBodyBytes + 1, 1))).error().code(),
            ErrorCode::kTooLarge);
  EXPECT_EQ(store->commit(first_contact(1, Bytes{})).error().code(), ErrorCode::kInvalidArgument);
  WriteBatch forward_ref;
  forward_ref.add_item(CaseRef::created_by(1), Direction::kSource, InlineBody{ciphertext(3, 1)},
                       kDay);
  forward_ref.create_case(source_id(1), kDay);
  EXPECT_EQ(store->commit(std::move(forward_ref)).error().code(), ErrorCode::kInvalidArgument);
  WriteBatch long_alias;
  long_alias.create_source(source_id(1), std::string(65, 'a'), kDay);
  EXPECT_EQ(store->commit(std::move(long_alias)).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(store->list_cases({})->size(), 0u);
}

TEST(SqliteStore, ReadsOfMissingRecordsAreNotFound) {
  TempDir dir;
  auto store = open_or_die(dir.path(), FileSystem::posix());
  EXPECT_EQ(store->get_source(source_id(9)).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store->get_case(1).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store->get_item(1).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store->list_items(1).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store->read_item_body(1, 10).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store->get_setting("nope").error().code(), ErrorCode::kNotFound);
}

TEST(SqliteStore, TamperedInlineBodyIsAnIntegrityError) {
  TempDir dir;
  ItemId item_id = 0;
  {
    auto store = open_or_die(dir.path(), FileSystem::posix());
    item_id = store->commit(first_contact(1, ciphertext(50, 1)))->id(2);
  }
  raw_sql(dir.path(), "UPDATE items SET inline_body = zeroblob(50)");
  auto store = open_or_die(dir.path(), FileSystem::posix());
  EXPECT_EQ(store->read_item_body(item_id, 100).error().code(), ErrorCode::kIntegrity);
  EXPECT_EQ(store->open_item_body(item_id).error().code(), ErrorCode::kIntegrity);
}

TEST(SqliteStore, TamperedBlobBodyIsAnIntegrityError) {
  TempDir dir;
  auto store = open_or_die(dir.path(), FileSystem::posix());
  CaseId case_id = store->commit(first_contact(1, ciphertext(5, 1)))->id(1);
  auto writer = *store->blobs().create_writer();
  ASSERT_TRUE(writer->write(ciphertext(70000, 3)));
  ASSERT_TRUE(writer->finish());
  WriteBatch batch;
  std::size_t op =
      batch.add_item(CaseRef::existing(case_id), Direction::kSource, writer->result(), kDay);
  ItemId item_id = store->commit(std::move(batch))->id(op);
  // Swap the blob's bytes for others of the same length.
  auto path = dynamic_cast<DirectoryBlobStore&>(store->blobs()).path_of(writer->result().sha256);
  std::filesystem::remove(path);
  std::ofstream(path, std::ios::binary) << std::string(70000, 'x');
  EXPECT_EQ(store->read_item_body(item_id, 1 << 20).error().code(), ErrorCode::kIntegrity);
}

TEST(SqliteStore, NewerSchemaIsRefused) {
  TempDir dir;
  { ASSERT_TRUE(open_or_die(dir.path(), FileSystem::posix())); }
  raw_sql(dir.path(), "UPDATE settings SET value = CAST('2' AS BLOB) WHERE key = 'schema_version'");
  auto store = open_sqlite(dir.path(), FileSystem::posix());
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code(), ErrorCode::kUnsupported);
}

// Invariant 2: the schema has nowhere to put a time finer than a day, an
// address or a user agent.
TEST(SqliteStore, SchemaHoldsNoTimesOrNetworkMetadata) {
  TempDir dir;
  { ASSERT_TRUE(open_or_die(dir.path(), FileSystem::posix())); }
  std::string columns;
  raw_sql(dir.path(),
          "SELECT group_concat(name, ',') FROM (SELECT p.name FROM sqlite_master m, "
          "pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%')",
          &columns);
  // Adding a column is a decision to review against invariants 1 and 2.
  EXPECT_EQ(
      columns,
      "key,value,source_id,alias,created_day,reply_recipient,case_id,source_id,status,created_day,"
      "last_event_day,item_count,item_id,case_id,direction,sha256,ciphertext_size,day,"
      "in_blob,inline_body");
}

}  // namespace
}  // namespace safehouse::store

namespace safehouse::store {
namespace {

TEST(SqliteStore, CommitAsyncWithoutACallbackStillCommits) {
  testing::TempDir dir;
  auto store = open_or_die(dir.path(), FileSystem::posix());
  store->commit_async(first_contact(1, ciphertext(5, 1)), nullptr);
  ASSERT_TRUE(store->commit(first_contact(2, ciphertext(5, 2))));  // queued after it
  EXPECT_TRUE(store->get_source(source_id(1)));
}

}  // namespace
}  // namespace safehouse::store
