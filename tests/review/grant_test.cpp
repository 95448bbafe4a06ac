// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/review/grant_test.cpp: granting a reviewer existing cases, on both
// engines: every item (inline and blob), assessment version and
// publication copy is rewrapped so that the grantee's key opens it and the
// granter's still does; the old digests are kept, the old blobs removed,
// one audit entry written; a second grant rewraps nothing; keys that do not
// open the case, a removed, unenrolled or self grantee and a purged case
// are refused and change nothing; purge forgets the grants.
#include "review/grant.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "../store/engines.h"
#include "age/age.h"
#include "crypto/sha256.h"
#include "review/audit.h"
#include "review/workflow.h"
#include "store/grant_records.h"
#include "store/publication_copy_records.h"
#include "store/staff_records.h"

namespace safehouse::review {
namespace {

using S = store::CaseStatus;
using store::testing::Engine;

constexpr store::Day kDay = 20261205;
constexpr const char* kInstallation = "Test+0badc0de+AAAA";

class GrantTest : public ::testing::TestWithParam<Engine> {
 protected:
  GrantTest() : db_(GetParam()) {}

  void SetUp() override {
    store_ = db_.open_or_die();
    ASSERT_TRUE(store_);
    workflow_ = std::make_unique<Workflow>(*store_, kInstallation, [] { return kDay; });
    for (const char* name : {"alice", "bob", "carol"}) {
      keys_.push_back(ReviewerKeys::generate());
      auto added = workflow_->add_reviewer(name, keys_.back(), "admin");
      ASSERT_TRUE(added) << added.error().message();
      records_.push_back(*added);
    }
  }

  const ReviewerKeys& alice() const { return keys_[0]; }
  const ReviewerKeys& bob() const { return keys_[1]; }

  // `plaintext` encrypted (age) to alice only.
  Bytes sealed_to_alice(const std::string& plaintext) {
    Bytes out;
    VectorSink sink(out);
    const age::X25519Recipient alice_recipient = alice().identity().recipient();
    const age::Recipient* recipient = &alice_recipient;
    auto encryptor = age::encrypt(std::span(&recipient, 1), sink).value();
    EXPECT_TRUE(encryptor->write(as_bytes(plaintext)));
    EXPECT_TRUE(encryptor->finish());
    return out;
  }
  store::BlobRef blob_of(const Bytes& bytes) {
    auto writer = store_->blobs().create_writer().value();
    EXPECT_TRUE(writer->write(bytes));
    EXPECT_TRUE(writer->finish());
    return writer->result();
  }
  std::string open_with(const ReviewerKeys& keys, ByteSource& in) {
    Bytes out;
    VectorSink sink(out);
    const age::Identity* identity = &keys.identity();
    auto opened = age::decrypt(std::span(&identity, 1), in, sink);
    if (!opened) return "(" + opened.error().message() + ")";
    return std::string(out.begin(), out.end());
  }
  std::string open_item(const ReviewerKeys& keys, store::ItemId item) {
    auto in = store_->open_item_body(item);
    if (!in) return "(" + in.error().message() + ")";
    return open_with(keys, **in);
  }
  std::string open_assessment(const ReviewerKeys& keys, store::CaseId case_id) {
    const Bytes sealed =
        read([&](store::SqlSession& db) { return store::list_assessments(db, case_id); })
            .front()
            .sealed;
    SpanSource in(sealed);
    return open_with(keys, in);
  }
  std::vector<store::PublicationCopyRecord> copies(store::CaseId case_id) {
    return read([&](store::SqlSession& db) { return store::list_publication_copies(db, case_id); });
  }
  std::string open_copy(const ReviewerKeys& keys, const store::PublicationCopyRecord& copy) {
    auto in = store_->blobs().open_blob(copy.body).value();
    return open_with(keys, *in);
  }
  std::vector<store::GrantRecord> grants(store::CaseId case_id) {
    return read([&](store::SqlSession& db) { return store::list_grants(db, case_id); });
  }
  std::vector<store::AuditRecord> audit() {
    return read([&](store::SqlSession& db) { return store::list_audit(db); });
  }
  template <typename F>
  auto read(F f) -> typename std::invoke_result_t<F, store::SqlSession&>::value_type {
    typename std::invoke_result_t<F, store::SqlSession&>::value_type out{};
    auto done = store_->read([&](store::SqlSession& db) -> Result<void> {
      out = SAFEHOUSE_TRY(f(db));
      return {};
    });
    EXPECT_TRUE(done) << done.error().message();
    return out;
  }

  // A case with an inline item, a blob item, an assessment and (optionally)
  // a publication copy of the blob item, all sealed to alice only.
  struct Case {
    store::CaseId id = 0;
    store::ItemId small = 0;
    store::ItemId large = 0;
    store::BlobRef large_blob;
  };
  Case new_case(bool with_copy) {
    Case c;
    store::SourceId source{};
    source[0] = static_cast<std::uint8_t>(++sources_);
    store::WriteBatch batch;
    batch.create_source(source, "amber-heron", kDay);
    const std::size_t op = batch.create_case(source, kDay);
    const std::size_t small =
        batch.add_item(store::CaseRef::created_by(op), store::Direction::kSource,
                       store::InlineBody{sealed_to_alice("first contact")}, kDay);
    c.large_blob = blob_of(sealed_to_alice(std::string(200000, 'x')));
    const std::size_t large = batch.add_item(store::CaseRef::created_by(op),
                                             store::Direction::kSource, c.large_blob, kDay);
    auto committed = store_->commit(std::move(batch));
    EXPECT_TRUE(committed) << committed.error().message();
    c.id = committed->id(op);
    c.small = committed->id(small);
    c.large = committed->id(large);
    store::AssessmentRecord assessment;
    assessment.case_id = c.id;
    assessment.reviewer_id = records_[0].reviewer_id;
    assessment.day = kDay;
    assessment.sealed = sealed_to_alice("F6, first contact");
    run([&](store::SqlSession& db) { return store::insert_assessment(db, assessment); });
    if (with_copy) {
      store::PublicationCopyRecord copy;
      copy.case_id = c.id;
      copy.item_id = c.large;
      copy.reviewer_id = records_[0].reviewer_id;
      copy.body = blob_of(sealed_to_alice("cleaned copy"));
      copy.day = kDay;
      run([&](store::SqlSession& db) { return store::insert_publication_copy(db, copy); });
    }
    return c;
  }
  void run(std::function<Result<std::int64_t>(store::SqlSession&)> fn) {
    store::WriteBatch batch;
    batch.run_exclusive("audit", std::move(fn));
    auto committed = store_->commit(std::move(batch));
    ASSERT_TRUE(committed) << committed.error().message();
  }

  Result<GrantOutcome> grant(const ReviewerKeys& by, std::size_t by_index, std::size_t to_index,
                             store::CaseId case_id) {
    const age::Identity* identity = &by.identity();
    return grant_case(*store_, std::span(&identity, 1), records_[by_index], records_[to_index],
                      case_id, kDay);
  }

  store::testing::EngineDatabase db_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Workflow> workflow_;
  std::vector<ReviewerKeys> keys_;
  std::vector<store::ReviewerRecord> records_;
  int sources_ = 0;
};

TEST_P(GrantTest, EveryItemAndAssessmentOpensForTheGranteeAfterwards) {
  const Case c = new_case(/*with_copy=*/false);
  const store::ItemRecord small_before = store_->get_item(c.small).value();
  EXPECT_EQ(open_item(bob(), c.small).substr(0, 1), "(");  // not bob's yet
  auto outcome = grant(alice(), 0, 1, c.id);
  ASSERT_TRUE(outcome) << outcome.error().message();
  EXPECT_EQ(outcome->items, 2);
  EXPECT_EQ(outcome->assessments, 1);
  EXPECT_EQ(outcome->copies, 0);
  EXPECT_EQ(outcome->blobs_removed, 1);
  for (const ReviewerKeys* keys : {&alice(), &bob()}) {
    EXPECT_EQ(open_item(*keys, c.small), "first contact");
    EXPECT_EQ(open_item(*keys, c.large), std::string(200000, 'x'));
    EXPECT_EQ(open_assessment(*keys, c.id), "F6, first contact");
  }
  // The ciphertexts changed; the old digests are kept with the new ones.
  const store::ItemRecord small_after = store_->get_item(c.small).value();
  EXPECT_NE(small_after.sha256, small_before.sha256);
  EXPECT_EQ(small_after.location, store::BodyLocation::kInline);
  EXPECT_FALSE(store_->blobs().contains(c.large_blob).value());
  const auto rows = grants(c.id);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].kind, store::GrantedKind::kItem);
  EXPECT_EQ(rows[0].object_id, c.small);
  EXPECT_EQ(rows[0].old_sha256, small_before.sha256);
  EXPECT_EQ(rows[0].new_sha256, small_after.sha256);
  EXPECT_EQ(rows[0].reviewer_id, records_[1].reviewer_id);
  EXPECT_EQ(rows[0].granted_by, records_[0].reviewer_id);
  EXPECT_EQ(rows[1].old_sha256, c.large_blob.sha256);
  EXPECT_EQ(rows[2].kind, store::GrantedKind::kAssessment);
  // One audit entry, naming the grantee's key and what was rewrapped.
  const auto log = audit();
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.back().action, "grant");
  EXPECT_EQ(log.back().actor, "alice");
  EXPECT_EQ(log.back().case_id, c.id);
  EXPECT_EQ(log.back().detail, "to bob " + bob().recipient() + ": 2 items, 1 assessment version");
  const auto report = verify_audit(*store_);
  ASSERT_TRUE(report);
  EXPECT_FALSE(report->first_broken) << report->reason;

  // Again: nothing to rewrap, nothing logged.
  auto again = grant(alice(), 0, 1, c.id);
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(again->granted(), 0);
  EXPECT_EQ(again->already, 3);
  EXPECT_EQ(audit().size(), log.size());
  // Bob, now a recipient, can grant carol in turn; bob keeps his stanza.
  auto onward = grant(bob(), 1, 2, c.id);
  ASSERT_TRUE(onward) << onward.error().message();
  EXPECT_EQ(onward->granted(), 3);
  EXPECT_EQ(open_item(keys_[2], c.large), std::string(200000, 'x'));
  EXPECT_EQ(open_item(bob(), c.large), std::string(200000, 'x'));
}

TEST_P(GrantTest, PublicationCopiesAreGrantedAndPurgeForgetsTheGrants) {
  const Case c = new_case(/*with_copy=*/true);
  const auto before = copies(c.id);
  ASSERT_EQ(before.size(), 1u);
  auto outcome = grant(alice(), 0, 1, c.id);
  ASSERT_TRUE(outcome) << outcome.error().message();
  EXPECT_EQ(outcome->copies, 1);
  EXPECT_EQ(outcome->granted(), 4);
  EXPECT_EQ(outcome->blobs_removed, 2);  // the large item's and the copy's
  EXPECT_EQ(describe_grant(*outcome), "2 items, 1 assessment version, 1 publication copy");
  const auto after = copies(c.id);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_NE(after[0].body.sha256, before[0].body.sha256);
  EXPECT_EQ(open_copy(bob(), after[0]), "cleaned copy");
  EXPECT_EQ(open_copy(alice(), after[0]), "cleaned copy");
  EXPECT_FALSE(store_->blobs().contains(before[0].body).value());
  EXPECT_EQ(db_.sql("SELECT count(*) FROM grants"), "4");

  // Purge: the tombstone keeps no digest of what it held.
  ASSERT_TRUE(workflow_->transition(alice(), c.id, S::kWithdrawn));
  ASSERT_TRUE(workflow_->transition(alice(), c.id, S::kPurged));
  auto purged = workflow_->transition(bob(), c.id, S::kPurged);
  ASSERT_TRUE(purged) << purged.error().message();
  EXPECT_TRUE(purged->moved);
  EXPECT_EQ(db_.sql("SELECT count(*) FROM grants"), "0");
  EXPECT_FALSE(store_->blobs().contains(after[0].body).value());
  auto late = grant(alice(), 0, 2, c.id);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code(), ErrorCode::kConflict);
}

TEST_P(GrantTest, KeysThatDoNotOpenTheCaseChangeNothing) {
  const Case c = new_case(/*with_copy=*/true);
  const store::ItemRecord small = store_->get_item(c.small).value();
  const auto log_size = audit().size();
  // Carol was never a recipient.
  auto refused = grant(keys_[2], 2, 1, c.id);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kNoMatch);
  EXPECT_NE(refused.error().message().find("item " + std::to_string(c.small)), std::string::npos)
      << refused.error().message();
  EXPECT_EQ(store_->get_item(c.small).value().sha256, small.sha256);
  EXPECT_TRUE(store_->blobs().contains(c.large_blob).value());
  EXPECT_TRUE(grants(c.id).empty());
  EXPECT_EQ(audit().size(), log_size);
  EXPECT_EQ(open_item(bob(), c.small).substr(0, 1), "(");
  // No case: kNotFound.
  auto missing = grant(alice(), 0, 1, 9999);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
}

TEST_P(GrantTest, OnlyAnActiveEnrolledOtherReviewerIsAGrantee) {
  auto bob_found = find_grantee(*store_, "bob", records_[0]);
  ASSERT_TRUE(bob_found) << bob_found.error().message();
  EXPECT_EQ(bob_found->reviewer_id, records_[1].reviewer_id);
  auto self = find_grantee(*store_, "alice", records_[0]);
  ASSERT_FALSE(self);
  EXPECT_EQ(self.error().code(), ErrorCode::kInvalidArgument);
  auto unknown = find_grantee(*store_, "mallory", records_[0]);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code(), ErrorCode::kNotFound);
  ASSERT_TRUE(workflow_->remove_reviewer("carol", "admin"));
  auto removed = find_grantee(*store_, "carol", records_[0]);
  ASSERT_FALSE(removed);
  EXPECT_EQ(removed.error().code(), ErrorCode::kConflict);
  EXPECT_NE(removed.error().message().find("removed"), std::string::npos);
  // A grantee removed after find_grantee: the commit refuses.
  const Case c = new_case(/*with_copy=*/false);
  auto late = grant(alice(), 0, 2, c.id);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code(), ErrorCode::kConflict);
  EXPECT_TRUE(grants(c.id).empty());
  EXPECT_TRUE(store_->blobs().contains(c.large_blob).value());
}

INSTANTIATE_TEST_SUITE_P(Engines, GrantTest, ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         store::testing::engine_name);

}  // namespace
}  // namespace safehouse::review
