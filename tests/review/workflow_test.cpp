// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/review/workflow_test.cpp: the verification workflow on both
// engines (SQLite, PostgreSQL): every (status, target) pair driven through
// real approvals (one or two reviewers, as the table says); the attacks —
// approving twice, approving one's own check, replaying an old approval, a
// forged, other-case or other-installation signature, a removed or unknown
// reviewer — each refused, leaving the case as it was, and logged; purge
// leaving a tombstone; and the audit log noticing an edited, deleted,
// inserted or reordered entry.
#include "review/workflow.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "../store/engines.h"
#include "review/audit.h"
#include "review/cases.h"
#include "review/transitions.h"

namespace safehouse::review {
namespace {

using S = store::CaseStatus;
using store::testing::Engine;

constexpr store::Day kDay = 20261204;
constexpr const char* kInstallation = "Test+0badc0de+AAAA";

constexpr S kAll[] = {S::kReceived,  S::kTriage,       S::kVerifying,
                      S::kNeedsInfo, S::kCorroborated, S::kVerified,
                      S::kDuplicate, S::kRejected,     S::kSuspectedInfiltration,
                      S::kWithdrawn, S::kPurged};

class WorkflowTest : public ::testing::TestWithParam<Engine> {
 protected:
  WorkflowTest() : db_(GetParam()) {}

  void SetUp() override {
    store_ = db_.open_or_die();
    ASSERT_TRUE(store_);
    workflow_ = std::make_unique<Workflow>(*store_, kInstallation, [] { return kDay; });
    for (const char* name : {"alice", "bob", "carol"}) {
      keys_.push_back(ReviewerKeys::generate());
      auto added = workflow_->add_reviewer(name, keys_.back(), "admin");
      ASSERT_TRUE(added) << added.error().message();
    }
  }

  const ReviewerKeys& alice() const { return keys_[0]; }
  const ReviewerKeys& bob() const { return keys_[1]; }
  const ReviewerKeys& carol() const { return keys_[2]; }

  // A first contact: source, case and one inline item.
  store::CaseId new_case() {
    store::SourceId source{};
    source[0] = static_cast<std::uint8_t>(++sources_);
    source[1] = static_cast<std::uint8_t>(sources_ >> 8);
    store::WriteBatch batch;
    batch.create_source(source, "amber-heron", kDay);
    const std::size_t op = batch.create_case(source, kDay);
    batch.add_item(store::CaseRef::created_by(op), store::Direction::kSource,
                   store::InlineBody{Bytes(100, 7)}, kDay);
    auto committed = store_->commit(std::move(batch));
    EXPECT_TRUE(committed) << committed.error().message();
    return committed ? committed->id(op) : 0;
  }
  // Puts a case into `status` directly (no workflow), as an earlier event.
  void force(store::CaseId case_id, S status) {
    store::WriteBatch batch;
    batch.set_case_status(case_id, status, kDay);
    ASSERT_TRUE(store_->commit(std::move(batch)));
  }
  S status(store::CaseId case_id) { return store_->get_case(case_id).value().status; }
  store::CaseEventRecord current(store::CaseId case_id) {
    store::CaseEventRecord out;
    EXPECT_TRUE(store_->read([&](store::SqlSession& db) -> Result<void> {
      out = SAFEHOUSE_TRY(store::current_case_event(db, case_id));
      return {};
    }));
    return out;
  }
  std::vector<store::AuditRecord> audit() {
    std::vector<store::AuditRecord> out;
    EXPECT_TRUE(store_->read([&](store::SqlSession& db) -> Result<void> {
      out = SAFEHOUSE_TRY(store::list_audit(db));
      return {};
    }));
    return out;
  }
  void expect_intact() {
    auto report = verify_audit(*store_);
    ASSERT_TRUE(report) << report.error().message();
    EXPECT_FALSE(report->first_broken) << report->reason;
  }
  // `result` is a refusal with `code` whose message contains `words`, the
  // case is unchanged, and the refusal is the newest audit entry.
  template <typename T>
  void expect_refused(const Result<T>& result, ErrorCode code, const std::string& words,
                      store::CaseId case_id, const store::CaseEventRecord& before,
                      const std::string& actor) {
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code(), code) << result.error().message();
    EXPECT_NE(result.error().message().find(words), std::string::npos) << result.error().message();
    const auto after = current(case_id);
    EXPECT_EQ(after.status, before.status);
    EXPECT_EQ(after.event_number, before.event_number);
    const auto log = audit();
    ASSERT_FALSE(log.empty());
    EXPECT_EQ(log.back().action, "refused");
    EXPECT_EQ(log.back().actor, actor);
    EXPECT_EQ(log.back().case_id, case_id);
    EXPECT_NE(log.back().detail.find(words), std::string::npos) << log.back().detail;
    expect_intact();
  }
  // The case taken along the main path to corroborated by `checker`.
  store::CaseId corroborated_by(const ReviewerKeys& checker) {
    const store::CaseId id = new_case();
    for (S to : {S::kTriage, S::kVerifying, S::kCorroborated}) {
      auto moved = workflow_->transition(checker, id, to);
      EXPECT_TRUE(moved && moved->moved) << (moved ? "" : moved.error().message());
    }
    return id;
  }

  store::testing::EngineDatabase db_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Workflow> workflow_;
  std::vector<ReviewerKeys> keys_;
  int sources_ = 0;
};

TEST_P(WorkflowTest, EveryPairWithItsApprovals) {
  for (S from : kAll) {
    for (S to : kAll) {
      SCOPED_TRACE(std::string(store::status_name(from)) + " -> " +
                   std::string(store::status_name(to)));
      const store::CaseId id = new_case();
      if (from != S::kReceived) force(id, from);
      const auto before = current(id);
      const auto rule = find_transition(from, to);
      auto first = workflow_->transition(alice(), id, to);
      if (!rule) {
        expect_refused(first, ErrorCode::kConflict, rule.error().message(), id, before, "alice");
        continue;
      }
      ASSERT_TRUE(first) << first.error().message();
      EXPECT_EQ(first->approvals, 1);
      EXPECT_EQ(first->needed, rule->approvals);
      if (rule->approvals == 2) {
        EXPECT_FALSE(first->moved);
        EXPECT_EQ(status(id), from);
        // The same reviewer again counts once.
        expect_refused(workflow_->transition(alice(), id, to), ErrorCode::kConflict,
                       "already approved", id, before, "alice");
        auto second = workflow_->transition(bob(), id, to);
        ASSERT_TRUE(second) << second.error().message();
        EXPECT_EQ(second->approvals, 2);
        EXPECT_TRUE(second->moved);
      } else {
        EXPECT_TRUE(first->moved);
      }
      const auto after = current(id);
      EXPECT_EQ(after.status, to);
      EXPECT_EQ(after.event_number, before.event_number + 1);
      EXPECT_EQ(audit().back().action, "transition");
      if (to == S::kPurged) {
        EXPECT_TRUE(store_->list_items(id).value().empty());
        EXPECT_EQ(store_->get_case(id).value().item_count, 0);
      }
    }
  }
  expect_intact();
}

TEST_P(WorkflowTest, CaseEventsNumberEveryChange) {
  const store::CaseId id = corroborated_by(alice());
  std::vector<store::CaseEventRecord> events;
  ASSERT_TRUE(store_->read([&](store::SqlSession& db) -> Result<void> {
    events = SAFEHOUSE_TRY(store::list_case_events(db, id));
    return {};
  }));
  ASSERT_EQ(events.size(), 4u);
  const S expected[] = {S::kReceived, S::kTriage, S::kVerifying, S::kCorroborated};
  for (std::size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].event_number, static_cast<std::int64_t>(i) + 1);
    EXPECT_EQ(events[i].status, expected[i]);
    EXPECT_EQ(events[i].day, kDay);
  }
}

TEST_P(WorkflowTest, TheCheckerCannotApproveVerified) {
  const store::CaseId id = corroborated_by(alice());
  const auto before = current(id);
  expect_refused(workflow_->transition(alice(), id, S::kVerified), ErrorCode::kConflict,
                 "decisive check", id, before, "alice");
  auto b = workflow_->transition(bob(), id, S::kVerified);
  ASSERT_TRUE(b) << b.error().message();
  EXPECT_FALSE(b->moved);
  auto c = workflow_->transition(carol(), id, S::kVerified);
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_TRUE(c->moved);
  EXPECT_EQ(status(id), S::kVerified);
}

TEST_P(WorkflowTest, OneReviewerApprovingTwiceCountsOnce) {
  const store::CaseId id = corroborated_by(alice());
  ASSERT_TRUE(workflow_->transition(bob(), id, S::kVerified));
  const auto before = current(id);
  expect_refused(workflow_->transition(bob(), id, S::kVerified), ErrorCode::kConflict,
                 "1 of 2 approvals", id, before, "bob");
  // The very same signed approval handed in again: the same.
  auto signed_again = workflow_->sign(bob(), id, S::kVerified);
  ASSERT_TRUE(signed_again);
  expect_refused(workflow_->submit(*signed_again), ErrorCode::kConflict, "already approved", id,
                 before, "bob");
  EXPECT_EQ(status(id), S::kCorroborated);
}

TEST_P(WorkflowTest, AReplayedApprovalIsRefused) {
  const store::CaseId id = new_case();
  auto old = workflow_->sign(alice(), id, S::kTriage);
  ASSERT_TRUE(old);
  ASSERT_TRUE(workflow_->submit(*old));
  // Back where it was (by the table's own moves), then the old approval again.
  ASSERT_TRUE(workflow_->transition(bob(), id, S::kWithdrawn));
  ASSERT_TRUE(workflow_->transition(alice(), id, S::kTriage));
  ASSERT_TRUE(workflow_->transition(bob(), id, S::kTriage));
  ASSERT_TRUE(workflow_->transition(carol(), id, S::kRejected));
  const auto before = current(id);
  expect_refused(workflow_->submit(*old), ErrorCode::kConflict, "stale approval", id, before,
                 "alice");
  // Rewriting its event number to the current one breaks the signature.
  auto rewritten = *old;
  rewritten.event_number = before.event_number;
  rewritten.from = before.status;
  expect_refused(workflow_->submit(rewritten), ErrorCode::kIntegrity, "does not verify", id, before,
                 "alice");
}

TEST_P(WorkflowTest, ForgedSignaturesAreRefused) {
  const store::CaseId id = new_case();
  const auto before = current(id);
  auto approval = workflow_->sign(alice(), id, S::kTriage);
  ASSERT_TRUE(approval);
  auto flipped = *approval;
  flipped.signature[10] ^= 0x01;
  expect_refused(workflow_->submit(flipped), ErrorCode::kIntegrity, "does not verify", id, before,
                 "alice");
  // Alice's signature presented as Bob's.
  auto as_bob = *approval;
  as_bob.signing_key = bob().signing_key();
  expect_refused(workflow_->submit(as_bob), ErrorCode::kIntegrity, "does not verify", id, before,
                 "bob");
}

TEST_P(WorkflowTest, AnotherCasesOrInstallationsSignatureIsRefused) {
  const store::CaseId one = new_case();
  const store::CaseId two = new_case();
  const auto before = current(two);
  auto for_one = workflow_->sign(alice(), one, S::kTriage);
  ASSERT_TRUE(for_one);
  auto moved = *for_one;
  moved.case_id = two;  // same event number and status: only the case differs
  expect_refused(workflow_->submit(moved), ErrorCode::kIntegrity, "does not verify", two, before,
                 "alice");
  Workflow elsewhere(*store_, "Other+12345678+BBBB", [] { return kDay; });
  auto foreign = elsewhere.sign(alice(), two, S::kTriage);
  ASSERT_TRUE(foreign);
  expect_refused(workflow_->submit(*foreign), ErrorCode::kIntegrity, "does not verify", two, before,
                 "alice");
}

TEST_P(WorkflowTest, ARemovedOrUnknownReviewerIsRefused) {
  const store::CaseId id = corroborated_by(alice());
  ASSERT_TRUE(workflow_->transition(bob(), id, S::kVerified));
  ASSERT_TRUE(workflow_->remove_reviewer("carol", "admin"));
  const auto before = current(id);
  expect_refused(workflow_->transition(carol(), id, S::kVerified), ErrorCode::kConflict,
                 "was removed", id, before, "carol");
  const ReviewerKeys stranger = ReviewerKeys::generate();
  expect_refused(workflow_->transition(stranger, id, S::kVerified), ErrorCode::kNotFound,
                 "no reviewer", id, before, "unknown signer");
  EXPECT_FALSE(workflow_->remove_reviewer("carol", "admin"));
  auto reviewers = workflow_->reviewers();
  ASSERT_TRUE(reviewers);
  ASSERT_EQ(reviewers->size(), 3u);
  EXPECT_FALSE((*reviewers)[2].active());
  EXPECT_EQ((*reviewers)[2].removed_day, kDay);
}

TEST_P(WorkflowTest, NamesAndKeysAreNeverReused) {
  EXPECT_FALSE(workflow_->add_reviewer("alice", ReviewerKeys::generate(), "admin"));
  EXPECT_FALSE(workflow_->add_reviewer("alice2", alice(), "admin"));
  EXPECT_FALSE(workflow_->add_reviewer("../x", ReviewerKeys::generate(), "admin"));
}

TEST_P(WorkflowTest, PurgeDeletesBlobsAndLeavesATombstone) {
  const store::CaseId id = new_case();
  auto writer = store_->blobs().create_writer().value();
  ASSERT_TRUE(writer->write(Bytes(100000, 3)));
  ASSERT_TRUE(writer->finish());
  const store::BlobRef blob = writer->result();
  store::WriteBatch batch;
  batch.add_item(store::CaseRef::existing(id), store::Direction::kSource, blob, kDay);
  ASSERT_TRUE(store_->commit(std::move(batch)));
  ASSERT_TRUE(workflow_->transition(alice(), id, S::kWithdrawn));
  ASSERT_TRUE(workflow_->transition(alice(), id, S::kPurged));
  auto purged = workflow_->transition(bob(), id, S::kPurged);
  ASSERT_TRUE(purged) << purged.error().message();
  EXPECT_TRUE(purged->moved);
  EXPECT_EQ(purged->blobs_removed, 1u);
  EXPECT_FALSE(store_->blobs().contains(blob).value());
  const auto tombstone = store_->get_case(id).value();
  EXPECT_EQ(tombstone.status, S::kPurged);
  EXPECT_EQ(tombstone.item_count, 0);
  EXPECT_TRUE(store_->list_items(id).value().empty());
  EXPECT_FALSE(workflow_->transition(alice(), id, S::kTriage));
}

// Duplicate linking: the link is stored with the move, shown in the
// summaries, replaced when the case is reopened and marked again; a bad
// --of is refused, logged, and changes nothing.
TEST_P(WorkflowTest, DuplicateLinksAreStoredWithTheMove) {
  const store::CaseId original = new_case();
  const store::CaseId copy = new_case();
  const store::CaseId other = new_case();
  auto before = current(copy);
  expect_refused(workflow_->transition(alice(), copy, S::kDuplicate, copy), ErrorCode::kConflict,
                 "duplicate of itself", copy, before, "alice");
  expect_refused(workflow_->transition(alice(), copy, S::kDuplicate, 999), ErrorCode::kNotFound,
                 "--of 999: there is no such case", copy, before, "alice");
  expect_refused(workflow_->transition(alice(), copy, S::kTriage, original),
                 ErrorCode::kInvalidArgument, "only with duplicate", copy, before, "alice");

  auto moved = workflow_->transition(alice(), copy, S::kDuplicate, original);
  ASSERT_TRUE(moved) << moved.error().message();
  EXPECT_TRUE(moved->moved);
  EXPECT_EQ(status(copy), S::kDuplicate);
  EXPECT_NE(audit().back().detail.find("duplicate of case " + std::to_string(original)),
            std::string::npos)
      << audit().back().detail;
  EXPECT_EQ(case_summary(*store_, copy).value().duplicate_of, original);
  EXPECT_EQ(case_summary(*store_, original).value().duplicate_of, 0);
  EXPECT_EQ(duplicates_of(*store_, original).value(), std::vector<store::CaseId>{copy});
  auto listed = list_case_summaries(*store_).value();
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[0].duplicate_of, 0);
  EXPECT_EQ(listed[1].duplicate_of, original);

  // A duplicate is no original: link to the case it duplicates instead.
  before = current(other);
  expect_refused(workflow_->transition(alice(), other, S::kDuplicate, copy), ErrorCode::kConflict,
                 "itself a duplicate of case " + std::to_string(original), other, before, "alice");

  // Reopened (two approvals), then marked a duplicate of another case.
  ASSERT_TRUE(workflow_->transition(alice(), copy, S::kTriage));
  ASSERT_TRUE(workflow_->transition(bob(), copy, S::kTriage));
  EXPECT_EQ(status(copy), S::kTriage);
  EXPECT_EQ(case_summary(*store_, copy).value().duplicate_of, 0);
  EXPECT_TRUE(duplicates_of(*store_, original).value().empty());
  ASSERT_TRUE(workflow_->transition(carol(), copy, S::kDuplicate, other));
  EXPECT_EQ(case_summary(*store_, copy).value().duplicate_of, other);
  EXPECT_EQ(duplicates_of(*store_, other).value(), std::vector<store::CaseId>{copy});
  EXPECT_TRUE(duplicates_of(*store_, original).value().empty());
  // Without --of, duplicate stays a status only (the command-line
  // contract), also for a case that had a link before.
  ASSERT_TRUE(workflow_->transition(alice(), copy, S::kTriage));
  ASSERT_TRUE(workflow_->transition(bob(), copy, S::kTriage));
  ASSERT_TRUE(workflow_->transition(alice(), copy, S::kDuplicate));
  EXPECT_EQ(status(copy), S::kDuplicate);
  EXPECT_EQ(case_summary(*store_, copy).value().duplicate_of, 0);
  EXPECT_TRUE(duplicates_of(*store_, other).value().empty());
  expect_intact();
}

// --- the audit log ---

class AuditTamperTest : public WorkflowTest {
 protected:
  void SetUp() override {
    WorkflowTest::SetUp();
    corroborated_by(alice());  // entries 4 to 6, after three reviewer-adds
    ASSERT_EQ(audit().size(), 6u);
    expect_intact();
  }
  std::optional<std::int64_t> first_broken() {
    auto report = verify_audit(*store_);
    EXPECT_TRUE(report) << report.error().message();
    return report ? report->first_broken : std::nullopt;
  }
};

TEST_P(AuditTamperTest, AnEditedEntry) {
  db_.sql("UPDATE audit_log SET actor = 'mallory' WHERE seq = 4");
  EXPECT_EQ(first_broken(), 4);
}

TEST_P(AuditTamperTest, AnEditedHash) {
  // Rewriting an entry and its own hash still breaks the next link.
  db_.sql("UPDATE audit_log SET hash = prev_hash WHERE seq = 3");
  EXPECT_EQ(first_broken(), 3);
}

TEST_P(AuditTamperTest, ADeletedEntry) {
  db_.sql("DELETE FROM audit_log WHERE seq = 2");
  EXPECT_EQ(first_broken(), 2);
}

TEST_P(AuditTamperTest, ADeletedLastEntry) {
  db_.sql("DELETE FROM audit_log WHERE seq = 6");
  EXPECT_EQ(first_broken(), 6);
}

TEST_P(AuditTamperTest, ReorderedEntries) {
  db_.sql("UPDATE audit_log SET seq = 100 WHERE seq = 2");
  db_.sql("UPDATE audit_log SET seq = 2 WHERE seq = 3");
  db_.sql("UPDATE audit_log SET seq = 3 WHERE seq = 100");
  EXPECT_EQ(first_broken(), 2);
}

TEST_P(AuditTamperTest, AnInsertedEntry) {
  db_.sql("UPDATE audit_log SET seq = seq + 100 WHERE seq >= 3");
  db_.sql("UPDATE audit_log SET seq = seq - 99 WHERE seq >= 100");
  db_.sql(
      "INSERT INTO audit_log (seq, day, actor, action, case_id, detail, prev_hash, hash) "
      "SELECT 3, day, actor, action, case_id, detail, prev_hash, hash FROM audit_log "
      "WHERE seq = 2");
  EXPECT_EQ(first_broken(), 3);
}

TEST_P(AuditTamperTest, AnAppendedCopy) {
  db_.sql(
      "INSERT INTO audit_log (seq, day, actor, action, case_id, detail, prev_hash, hash) "
      "SELECT 7, day, actor, action, case_id, detail, prev_hash, hash FROM audit_log "
      "WHERE seq = 6");
  EXPECT_EQ(first_broken(), 7);
}

INSTANTIATE_TEST_SUITE_P(Engines, WorkflowTest,
                         ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         store::testing::engine_name);
INSTANTIATE_TEST_SUITE_P(Engines, AuditTamperTest,
                         ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         store::testing::engine_name);

}  // namespace
}  // namespace safehouse::review
