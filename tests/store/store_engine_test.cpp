// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/store/store_engine_test.cpp: every engine's records, reads,
// durability across reopen, per-batch failure, tampered data, schema
// versions, exclusive appends and publication copies — each test once for SQLite and once for
// PostgreSQL (engines.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <mutex>
#include <thread>

#include "engines.h"
#include "store/directory_blob_store.h"
#include "store/faulty_file_system.h"
#include "store/pack_blob_store.h"
#include "store/publication_copy_records.h"
#include "store/sql.h"
#include "store/workflow_records.h"

namespace safehouse::store {
namespace {

using testing::Engine;
using testing::EngineDatabase;
using testing::TempDir;

class StoreEngine : public ::testing::TestWithParam<Engine> {
 protected:
  EngineDatabase db_{GetParam()};
};
INSTANTIATE_TEST_SUITE_P(Engines, StoreEngine,
                         ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         testing::engine_name);

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

// First contact: source + case + first item, in one batch.
WriteBatch first_contact(std::uint8_t n, Bytes body, Day day = kDay) {
  WriteBatch batch;
  batch.create_source(source_id(n), "amber-heron", day);
  std::size_t c = batch.create_case(source_id(n), day);
  batch.add_item(CaseRef::created_by(c), Direction::kSource, InlineBody{std::move(body)}, day);
  return batch;
}

TEST_P(StoreEngine, FirstContactAssignsIdsAndReadsBack) {
  auto store = db_.open_or_die();
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

TEST_P(StoreEngine, FollowUpsRepliesAndStatusUpdateTheCase) {
  auto store = db_.open_or_die();
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

  // Every case starts with event 1 "received"; a status change appends the
  // next event, whose number the commit reports.
  EXPECT_EQ(committed->id(2), 2);
  std::vector<CaseEventRecord> events;
  ASSERT_TRUE(store->read([&](SqlSession& db) -> Result<void> {
    events = SAFEHOUSE_TRY(list_case_events(db, case_id));
    return {};
  }));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].event_number, 1);
  EXPECT_EQ(events[0].status, CaseStatus::kReceived);
  EXPECT_EQ(events[0].day, kDay);
  EXPECT_EQ(events[1].event_number, 2);
  EXPECT_EQ(events[1].status, CaseStatus::kTriage);
  EXPECT_EQ(events[1].day, 20261127);
}

TEST_P(StoreEngine, ListCasesFiltersAndPages) {
  auto store = db_.open_or_die();
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

TEST_P(StoreEngine, CommittedDataSurvivesReopenAndPassesIntegrityCheck) {
  CaseId case_id = 0;
  {
    auto store = db_.open_or_die();
    case_id = store->commit(first_contact(1, ciphertext(100, 1)))->id(1);
    WriteBatch setting;
    setting.put_setting("installation", Bytes{1, 2, 3});
    ASSERT_TRUE(store->commit(std::move(setting)));
  }
  auto store = db_.open_or_die();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->get_case(case_id)->item_count, 1);
  EXPECT_EQ(*store->get_setting("installation"), (Bytes{1, 2, 3}));
  EXPECT_EQ(*store->get_setting("schema_version"), (Bytes{'1', '4'}));
  store.reset();
  if (GetParam() == Engine::kSqlite) {
    EXPECT_EQ(db_.sql("PRAGMA integrity_check"), "ok");
    EXPECT_EQ(db_.sql("PRAGMA journal_mode"), "wal");
  } else {
    // Acknowledged means flushed: the sessions insist on it.
    EXPECT_EQ(db_.sql("SELECT count(*) FROM items"), "1");
  }
}

TEST_P(StoreEngine, AFailingBatchFailsAloneAndChangesNothing) {
  auto store = db_.open_or_die();
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

TEST_P(StoreEngine, ValidationRejectsBadBatches) {
  auto store = db_.open_or_die();
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

TEST_P(StoreEngine, ReadsOfMissingRecordsAreNotFound) {
  auto store = db_.open_or_die();
  EXPECT_EQ(store->get_source(source_id(9)).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store->get_case(1).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store->get_item(1).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store->list_items(1).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store->read_item_body(1, 10).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store->get_setting("nope").error().code(), ErrorCode::kNotFound);
}

TEST_P(StoreEngine, TamperedInlineBodyIsAnIntegrityError) {
  ItemId item_id = 0;
  {
    auto store = db_.open_or_die();
    item_id = store->commit(first_contact(1, ciphertext(50, 1)))->id(2);
  }
  db_.sql(GetParam() == Engine::kSqlite
              ? "UPDATE items SET inline_body = zeroblob(50)"
              : "UPDATE items SET inline_body = decode(repeat('00', 50), 'hex')");
  auto store = db_.open_or_die();
  EXPECT_EQ(store->read_item_body(item_id, 100).error().code(), ErrorCode::kIntegrity);
  EXPECT_EQ(store->open_item_body(item_id).error().code(), ErrorCode::kIntegrity);
}

TEST_P(StoreEngine, TamperedBlobBodyIsAnIntegrityError) {
  auto store = db_.open_or_die();
  CaseId case_id = store->commit(first_contact(1, ciphertext(5, 1)))->id(1);
  auto writer = *store->blobs().create_writer();
  ASSERT_TRUE(writer->write(ciphertext(70000, 3)));
  ASSERT_TRUE(writer->finish());
  WriteBatch batch;
  std::size_t op =
      batch.add_item(CaseRef::existing(case_id), Direction::kSource, writer->result(), kDay);
  ItemId item_id = store->commit(std::move(batch))->id(op);
  // Swap the blob's bytes for others of the same length.
  if (auto* pack = dynamic_cast<PackBlobStore*>(&store->blobs())) {
    auto extents = *pack->extents_of(writer->result().sha256);
    std::fstream file(db_.dir() / "blobs" / kPackFileName,
                      std::ios::binary | std::ios::in | std::ios::out);
    for (const auto& e : extents) {
      file.seekp(static_cast<std::streamoff>(e.offset));
      file << std::string(e.length, 'x');
    }
  } else {
    auto path = dynamic_cast<DirectoryBlobStore&>(store->blobs()).path_of(writer->result().sha256);
    std::filesystem::remove(path);
    std::ofstream(path, std::ios::binary) << std::string(70000, 'x');
  }
  EXPECT_EQ(store->read_item_body(item_id, 1 << 20).error().code(), ErrorCode::kIntegrity);
}

TEST_P(StoreEngine, NewerSchemaIsRefused) {
  { ASSERT_TRUE(db_.open_or_die()); }
  db_.sql(GetParam() == Engine::kSqlite
              ? "UPDATE settings SET value = CAST('99' AS BLOB) WHERE key = 'schema_version'"
              : "UPDATE settings SET value = '99'::bytea WHERE key = 'schema_version'");
  auto store = db_.open();
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code(), ErrorCode::kUnsupported);
  EXPECT_NE(store.error().message().find("newer than this binary"), std::string::npos);
}

// A version-3 database (before the workflow and the log's case entries) is
// migrated: its cases get their first event from their status and last
// event day, and no category yet.
TEST_P(StoreEngine, SchemaThreeIsMigrated) {
  {
    auto store = db_.open_or_die();
    ASSERT_TRUE(store->commit(first_contact(1, ciphertext(5, 1))));
  }
  for (const char* table :
       {"grants", "publication_copies", "assessments", "statement_cosignatures", "statements",
        "observer_openings", "observers", "log_case_entries", "reviewer_accounts", "case_links",
        "audit_log", "approvals", "case_events", "reviewers"})
    db_.sql(std::string("DROP TABLE ") + table);
  db_.sql("ALTER TABLE cases DROP COLUMN audit_consent");  // schema 14
  db_.sql("ALTER TABLE cases DROP COLUMN category");
  db_.sql("ALTER TABLE cases DROP COLUMN grade");          // schema 10
  db_.sql("ALTER TABLE sources DROP COLUMN signing_key");  // schema 9
  db_.sql("UPDATE cases SET status = 'triage', last_event_day = 20261130");
  db_.sql(GetParam() == Engine::kSqlite
              ? "UPDATE settings SET value = CAST('3' AS BLOB) WHERE key = 'schema_version'"
              : "UPDATE settings SET value = '3'::bytea WHERE key = 'schema_version'");
  auto store = db_.open_or_die();
  ASSERT_TRUE(store);
  EXPECT_EQ(*store->get_setting("schema_version"), (Bytes{'1', '4'}));
  EXPECT_EQ(db_.sql("SELECT event_number || ' ' || status || ' ' || day FROM case_events"),
            "1 triage 20261130");
  EXPECT_EQ(db_.sql("SELECT '[' || category || ']' FROM cases"), "[]");
  // Cases from before the audit consent (schema 14) did not consent.
  EXPECT_EQ(db_.sql("SELECT audit_consent FROM cases"), "0");
}

// Invariant 2: the schema has nowhere to put a time finer than a day, an
// address or a user agent.
TEST_P(StoreEngine, SchemaHoldsNoTimesOrNetworkMetadata) {
  { ASSERT_TRUE(db_.open_or_die()); }
  const std::string columns =
      GetParam() == Engine::kSqlite
          ? db_.sql(
                "SELECT group_concat(name, ',') FROM (SELECT p.name FROM sqlite_master m, "
                "pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE "
                "'sqlite_%')")
          // Tables in the order the migrations create them; any other table
          // would show up at the end.
          : db_.sql(
                "SELECT string_agg(column_name, ',' ORDER BY coalesce(array_position("
                "ARRAY['settings','sources','cases','items','blobs','blob_chunks','log_tiles','"
                "reviewers',"
                "'case_events','approvals','audit_log','log_cosignatures','case_links','reviewer_"
                "accounts','log_case_entries','observers','observer_openings','statements',"
                "'statement_cosignatures','assessments','publication_copies','grants']::text[], "
                "table_name::text), 99), "
                "table_name, ordinal_position) FROM information_schema.columns "
                "WHERE table_schema = 'public'");
  // Adding a column is a decision to review against invariants 1 and 2.
  EXPECT_EQ(
      columns,
      // schema 9: sources.signing_key (the JavaScript client's public key)
      "key,value,source_id,alias,created_day,reply_recipient,signing_key,case_id,source_id,status,"
      "created_day,"
      // schema 14: cases.audit_consent (0/1, the source's consent to a sampled audit)
      "last_event_day,item_count,category,grade,audit_consent,item_id,case_id,direction,sha256,"
      "ciphertext_size,"
      "day,"
      "in_blob,inline_body,sha256,size,blob_id,blob_id,chunk,data,path,data,"
      // schema 4: the workflow (public keys, events, approvals, audit log)
      "reviewer_id,name,recipient,signing_key,added_day,removed_day,"
      "case_id,event_number,day,status,"
      "approval_id,case_id,event_number,from_status,to_status,reviewer_id,day,signature,"
      "seq,day,actor,action,case_id,detail,prev_hash,hash,"
      // schema 5: witnesses' cosignatures of the log's checkpoints (public)
      "witness,size,checkpoint,signatures,"
      // schema 6: duplicate links
      "case_id,duplicate_of,event_number,day,"

      // schema 7: staff accounts (hashes, verifier, browser-encrypted identity, sealed TOTP)
      "reviewer_id,enrol_token_hash,enrol_until_day,keys_replaceable,enrolled_day,auth_verifier,"
      "identity_box,totp_box,failed_logins,locked,"
      // schema 8: the transparency log's case entries, observers, statements
      "case_id,event_number,log_index,category,nonce,"
      // schema 14: log_case_entries.audit_consent (the consent when the event was published)
      "audit_consent,"
      "name,recipient,verifier_key,added_day,"
      "name,log_size,data,"
      "statement_id,day,note,"
      "statement_id,signer,line,"
      // schema 10: assessments (the grade in clear, the record sealed in the browser)
      "case_id,version,reviewer_id,reliability,credibility,day,sealed,"
      // schema 12: publication copies (the blob of an age file, its original item)
      "copy_id,case_id,item_id,reviewer_id,sha256,ciphertext_size,day,"
      // schema 13: grants (digests before and after a rewrap; who, to whom)
      "grant_id,case_id,kind,object_id,reviewer_id,granted_by,old_sha256,new_sha256,day");
}

// The source's audit consent (schema 14) is kept with the case as it was
// given at first contact, defaults to none, and the column takes nothing
// but 0 and 1.
TEST_P(StoreEngine, AuditConsentIsKeptWithTheCase) {
  auto store = db_.open_or_die();
  WriteBatch consenting;
  consenting.create_source(source_id(1), "amber-heron", kDay);
  const std::size_t op = consenting.create_case(source_id(1), kDay, true);
  auto yes = store->commit(std::move(consenting));
  auto no = store->commit(first_contact(2, ciphertext(5, 2)));
  ASSERT_TRUE(yes && no);
  EXPECT_TRUE(store->get_case(yes->id(op))->audit_consent);
  EXPECT_FALSE(store->get_case(no->id(1))->audit_consent);
  auto listed = store->list_cases(CaseQuery{});
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2U);
  EXPECT_TRUE((*listed)[0].audit_consent);
  EXPECT_FALSE((*listed)[1].audit_consent);
  EXPECT_EQ(db_.sql("SELECT count(*) FROM cases WHERE audit_consent = 1"), "1");
}

// Publication copies (schema 12): filed only under their original item's
// case, listed per case, and deleted by purge with the blobs no one else
// uses.
TEST_P(StoreEngine, PublicationCopiesStayWithTheirItemsCase) {
  auto store = db_.open_or_die();
  auto a = store->commit(first_contact(1, ciphertext(5, 1)));
  auto b = store->commit(first_contact(2, ciphertext(5, 2)));
  ASSERT_TRUE(a && b);
  const CaseId case_a = a->id(1);
  const ItemId item_a = a->id(2);
  const ItemId item_b = b->id(2);
  auto run = [&](std::function<Result<std::int64_t>(SqlSession&)> fn) {
    WriteBatch batch;
    batch.run_exclusive("audit", std::move(fn));
    return store->commit(std::move(batch));
  };
  std::int64_t reviewer_id = 0;
  ASSERT_TRUE(run([&](SqlSession& db) -> Result<std::int64_t> {
    ReviewerRecord reviewer;
    reviewer.name = "alice";
    reviewer.recipient = "age1alice";
    reviewer.signing_key.fill(7);
    reviewer.added_day = kDay;
    reviewer_id = SAFEHOUSE_TRY(insert_reviewer(db, reviewer));
    return 0;
  }));
  PublicationCopyRecord copy;
  copy.case_id = case_a;
  copy.item_id = item_b;  // case b's item
  copy.reviewer_id = reviewer_id;
  copy.body.sha256.fill(0xab);
  copy.body.size = 300;
  copy.day = kDay;
  auto insert = [&](SqlSession& db) -> Result<std::int64_t> {
    return insert_publication_copy(db, copy);
  };
  auto refused = run(insert);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.error().message().find("is not an item of case"), std::string::npos)
      << refused.error().message();
  EXPECT_EQ(db_.sql("SELECT count(*) FROM publication_copies"), "0");

  copy.item_id = item_a;
  ASSERT_TRUE(run(insert));
  std::vector<PublicationCopyRecord> listed;
  ASSERT_TRUE(store->read([&](SqlSession& db) -> Result<void> {
    listed = SAFEHOUSE_TRY(list_publication_copies(db, case_a));
    return {};
  }));
  ASSERT_EQ(listed.size(), 1U);
  EXPECT_EQ(listed[0].item_id, item_a);
  EXPECT_EQ(listed[0].reviewer_id, reviewer_id);
  EXPECT_EQ(listed[0].body, copy.body);

  std::vector<Sha256> unreferenced;
  ASSERT_TRUE(run([&](SqlSession& db) -> Result<std::int64_t> {
    unreferenced = SAFEHOUSE_TRY(delete_publication_copies(db, case_a));
    return 0;
  }));
  ASSERT_EQ(unreferenced.size(), 1U);
  EXPECT_EQ(unreferenced[0], copy.body.sha256);
  EXPECT_EQ(db_.sql("SELECT count(*) FROM publication_copies"), "0");
}

TEST_P(StoreEngine, CommitAsyncWithoutACallbackStillCommits) {
  auto store = db_.open_or_die();
  store->commit_async(first_contact(1, ciphertext(5, 1)), nullptr);
  ASSERT_TRUE(store->commit(first_contact(2, ciphertext(5, 2))));  // queued after it
  EXPECT_TRUE(store->get_source(source_id(1)));
}

// Appends entry `n` of a log kept in settings ("log/<i>" for i = 0, 1, …)
// the way a transparency log would: read the head, write after it.
WriteBatch append_to_log(std::atomic<int>& appended) {
  WriteBatch batch;
  batch.run_exclusive("test-log", [&appended](SqlSession& db) -> Result<std::int64_t> {
    auto head = SAFEHOUSE_TRY(db.query_one("SELECT value FROM settings WHERE key = 'log/size'"));
    std::int64_t size = 0;
    if (head) {
      ByteSpan value = head->blob(0);
      size = std::stoll(std::string(value.begin(), value.end()));
    }
    // Widen the window between reading the head and writing after it.
    std::this_thread::yield();
    const std::string next = std::to_string(size + 1);
    SAFEHOUSE_TRY_VOID(db.exec("INSERT INTO settings (key, value) VALUES (?, ?)",
                               {"log/" + std::to_string(size), as_bytes(next)}));
    SAFEHOUSE_TRY_VOID(
        db.exec("INSERT INTO settings (key, value) VALUES ('log/size', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                {as_bytes(next)}));
    ++appended;
    return size;
  });
  return batch;
}

// Several servers (here: two stores on the same database) appending at once
// under run_exclusive: every append gets the next index, none is lost or
// written twice (a fork would be a unique violation and fail a batch).
TEST_P(StoreEngine, ExclusiveAppendsFromTwoServersHaveNoForksAndNoGaps) {
  auto first = db_.open_or_die();
  auto second = db_.open_or_die();
  ASSERT_TRUE(first && second);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 15;
  std::atomic<int> runs{0};
  std::atomic<int> failures{0};
  std::mutex mu;
  std::vector<std::int64_t> indexes;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Store& store = t % 2 == 0 ? *first : *second;
      for (int i = 0; i < kPerThread; ++i) {
        WriteBatch batch = append_to_log(runs);
        // An ordinary write in the same batch commits with the append.
        batch.put_setting("writer/" + std::to_string(t) + "/" + std::to_string(i), Bytes{1});
        auto committed = store.commit(std::move(batch));
        if (!committed) {
          ADD_FAILURE() << committed.error().message();
          ++failures;
          continue;
        }
        std::lock_guard lock(mu);
        indexes.push_back(committed->id(0));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  std::sort(indexes.begin(), indexes.end());
  ASSERT_EQ(indexes.size(), std::size_t{kThreads * kPerThread});
  for (std::size_t i = 0; i < indexes.size(); ++i) EXPECT_EQ(indexes[i], std::int64_t(i));
  const std::string size = std::to_string(kThreads * kPerThread);
  EXPECT_EQ(*first->get_setting("log/size"), Bytes(size.begin(), size.end()));
  EXPECT_EQ(db_.sql("SELECT count(*) FROM settings WHERE key LIKE 'log/%'"),
            std::to_string(kThreads * kPerThread + 1));
}

TEST_P(StoreEngine, AFailingExclusiveOperationFailsItsBatchAlone) {
  auto store = db_.open_or_die();
  WriteBatch failing;
  failing.put_setting("before", Bytes{1});
  failing.run_exclusive("test-log", [](SqlSession&) -> Result<std::int64_t> {
    return Error(ErrorCode::kConflict, "the log head moved");
  });
  auto failed = store->commit(std::move(failing));
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code(), ErrorCode::kConflict);
  EXPECT_EQ(store->get_setting("before").error().code(), ErrorCode::kNotFound);
  WriteBatch bad_name;
  bad_name.run_exclusive("", [](SqlSession&) -> Result<std::int64_t> { return 0; });
  EXPECT_EQ(store->commit(std::move(bad_name)).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(store->commit(first_contact(1, ciphertext(5, 1))));
}

// Two servers racing to create the same source: exactly one wins, the other
// is told kConflict, and nothing of the loser's batch remains.
TEST_P(StoreEngine, TwoServersCreatingTheSameSourceConflictCleanly) {
  auto first = db_.open_or_die();
  auto second = db_.open_or_die();
  constexpr int kSources = 40;
  std::atomic<int> won{0};
  std::atomic<int> conflicts{0};
  auto race = [&](Store& store, std::uint8_t seed) {
    for (int n = 0; n < kSources; ++n) {
      auto committed =
          store.commit(first_contact(static_cast<std::uint8_t>(n), ciphertext(8, seed)));
      if (committed) {
        ++won;
      } else if (committed.error().code() == ErrorCode::kConflict) {
        ++conflicts;
      } else {
        ADD_FAILURE() << committed.error().message();
      }
    }
  };
  std::thread a([&] { race(*first, 1); });
  std::thread b([&] { race(*second, 2); });
  a.join();
  b.join();
  EXPECT_EQ(won.load(), kSources);
  EXPECT_EQ(conflicts.load(), kSources);
  CaseQuery all;
  all.limit = kMaxListLimit;
  EXPECT_EQ(first->list_cases(all)->size(), std::size_t{kSources});
  EXPECT_EQ(db_.sql("SELECT count(*) FROM items"), std::to_string(kSources));
}

}  // namespace
}  // namespace safehouse::store
