// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/review/two_servers_test.cpp: two Safehouse servers on one
// PostgreSQL database (issue 9), each with what `safehouse serve` holds —
// its own Store (connection pool, writer thread, group commit), LogStore
// and Workflow — racing on the same rows:
// - two reviewers approving the same cases through both servers at once,
//   each approval handed to both servers: the two-person rule holds (never
//   verified on one reviewer's approvals, each reviewer counted once, one
//   status change per case), and the audit log stays one unbroken chain;
// - first contacts, follow-ups to one shared case, transparency-log
//   appends and audit entries from both servers at once: no lost or
//   duplicated row, the case's item count equal to its items, the log one
//   tree holding every entry once.
// PostgreSQL only (SQLite is one server); fails without
// SAFEHOUSE_TEST_POSTGRES_URL.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "../store/engines.h"
#include "review/audit.h"
#include "review/workflow.h"
#include "store/log_store.h"
#include "store/open_store.h"
#include "tlog/merkle.h"
#include "tlog/note_key.h"
#include "tlog/tile.h"

namespace safehouse::review {
namespace {

using S = store::CaseStatus;
using store::testing::Engine;

constexpr store::Day kDay = 20261205;
constexpr const char* kInstallation = "Test+0badc0de+AAAA";

// What one `safehouse serve` process holds.
struct Server {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<store::LogStore> log;
  std::unique_ptr<Workflow> workflow;
};

class TwoServersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(db_.url().empty());
    for (Server& server : servers_) {
      // The blobs in the database too: nothing is shared but PostgreSQL.
      auto store = store::open_store(db_.dir(), db_.url(), "", store::FileSystem::posix());
      ASSERT_TRUE(store) << store.error().message();
      server.store = std::move(*store);
      auto log = store::LogStore::open(db_.dir(), db_.url(), store::FileSystem::posix());
      ASSERT_TRUE(log) << log.error().message();
      server.log = std::move(*log);
      server.workflow =
          std::make_unique<Workflow>(*server.store, kInstallation, [] { return kDay; });
    }
    for (const char* name : {"alice", "bob"}) {
      keys_.push_back(ReviewerKeys::generate());
      auto added = servers_[0].workflow->add_reviewer(name, keys_.back(), "admin");
      ASSERT_TRUE(added) << added.error().message();
    }
  }

  // A first contact through `server`: source, case and one inline item.
  store::CaseId new_case(Server& server, int n) {
    store::SourceId source{};
    source[0] = static_cast<std::uint8_t>(n);
    source[1] = static_cast<std::uint8_t>(n >> 8);
    source[2] = static_cast<std::uint8_t>(n >> 16);
    store::WriteBatch batch;
    batch.create_source(source, "amber-heron", kDay);
    const std::size_t op = batch.create_case(source, kDay);
    batch.add_item(store::CaseRef::created_by(op), store::Direction::kSource,
                   store::InlineBody{Bytes(64, static_cast<std::uint8_t>(n))}, kDay);
    auto committed = server.store->commit(std::move(batch));
    EXPECT_TRUE(committed) << committed.error().message();
    return committed ? committed->id(op) : 0;
  }
  std::int64_t count(const std::string& sql) { return std::stoll(db_.sql(sql)); }
  void expect_audit_intact(std::int64_t entries) {
    for (Server& server : servers_) {
      auto report = verify_audit(*server.store);
      ASSERT_TRUE(report) << report.error().message();
      EXPECT_FALSE(report->first_broken) << report->reason;
      EXPECT_EQ(report->entries, entries);
    }
  }

  store::testing::EngineDatabase db_{Engine::kPostgres};  // first: outlives the stores
  Server servers_[2];
  std::vector<ReviewerKeys> keys_;
};

// Each approval is signed once and handed to both servers at once, as a
// reviewer's client retrying on another backend (or an attacker replaying
// it) would. Even cases get alice's and bob's approvals, odd cases only
// alice's: the odd ones must stay corroborated.
TEST_F(TwoServersTest, ConcurrentApprovalsKeepTheTwoPersonRule) {
  constexpr int kCases = 16;
  std::vector<store::CaseId> cases;
  for (int i = 0; i < kCases; ++i) {
    cases.push_back(new_case(servers_[i % 2], i + 1));
    store::WriteBatch batch;
    batch.set_case_status(cases.back(), S::kCorroborated, kDay);
    ASSERT_TRUE(servers_[i % 2].store->commit(std::move(batch)));
  }
  // approvals[r][i]: reviewer r's approval of case i (bob's for even i).
  std::vector<SignedApproval> approvals[2];
  for (int r = 0; r < 2; ++r) {
    for (int i = 0; i < kCases; ++i) {
      auto signed_approval = servers_[r].workflow->sign(keys_[r], cases[i], S::kVerified);
      ASSERT_TRUE(signed_approval) << signed_approval.error().message();
      approvals[r].push_back(*signed_approval);
    }
  }
  const std::int64_t events_before = count("SELECT count(*) FROM case_events");

  // Four submitters: each reviewer through each server, same order.
  struct Outcome {
    std::optional<TransitionOutcome> accepted;
    std::optional<Error> refused;
  };
  std::vector<Outcome> outcomes[2][2];  // [reviewer][server]
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int r = 0; r < 2; ++r) {
    for (int s = 0; s < 2; ++s) {
      outcomes[r][s].resize(kCases);
      threads.emplace_back([&, r, s] {
        ++ready;
        while (ready.load() < 4) std::this_thread::yield();
        for (int i = 0; i < kCases; ++i) {
          if (r == 1 && i % 2 == 1) continue;  // bob leaves the odd cases alone
          auto result = servers_[s].workflow->submit(approvals[r][i]);
          if (result) {
            outcomes[r][s][i].accepted = *result;
          } else {
            outcomes[r][s][i].refused = result.error();
          }
        }
      });
    }
  }
  for (auto& thread : threads) thread.join();

  int submissions = 0;
  for (int i = 0; i < kCases; ++i) {
    SCOPED_TRACE("case " + std::to_string(i));
    const bool both = i % 2 == 0;
    int moved = 0;
    for (int r = 0; r < (both ? 2 : 1); ++r) {
      // Each reviewer's approval counts once: one server accepted it, the
      // other refused it (already approved, or stale once the case moved).
      int accepted = 0;
      for (int s = 0; s < 2; ++s) {
        ++submissions;
        const Outcome& outcome = outcomes[r][s][i];
        if (outcome.accepted) {
          ++accepted;
          EXPECT_EQ(outcome.accepted->needed, 2);
          EXPECT_GE(outcome.accepted->approvals, 1);
          EXPECT_LE(outcome.accepted->approvals, 2);
          EXPECT_EQ(outcome.accepted->moved, outcome.accepted->approvals == 2);
          if (outcome.accepted->moved) ++moved;
        } else {
          ASSERT_TRUE(outcome.refused);
          EXPECT_EQ(outcome.refused->code(), ErrorCode::kConflict) << outcome.refused->message();
        }
      }
      EXPECT_EQ(accepted, 1);
    }
    EXPECT_EQ(moved, both ? 1 : 0);
    const S status = servers_[1].store->get_case(cases[i]).value().status;
    EXPECT_EQ(status, both ? S::kVerified : S::kCorroborated);
    const std::string id = std::to_string(cases[i]);
    EXPECT_EQ(count("SELECT count(*) FROM approvals WHERE case_id = " + id), both ? 2 : 1);
    EXPECT_EQ(count("SELECT count(DISTINCT reviewer_id) FROM approvals WHERE case_id = " + id),
              both ? 2 : 1);
    EXPECT_EQ(count("SELECT count(*) FROM case_events WHERE case_id = " + id +
                    " AND status = 'verified'"),
              both ? 1 : 0);
  }
  EXPECT_EQ(count("SELECT count(*) FROM case_events") - events_before, kCases / 2);
  // Event numbers per case run 1, 2, … without a gap or a repeat.
  EXPECT_EQ(count("SELECT count(*) FROM (SELECT case_id FROM case_events GROUP BY case_id "
                  "HAVING max(event_number) <> count(*) OR min(event_number) <> 1) AS bad"),
            0);
  // Two reviewer-adds, then one entry per submission: accepted or refused.
  ASSERT_NO_FATAL_FAILURE(expect_audit_intact(2 + submissions));
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE action = 'refused'"), submissions / 2);
}

// Everything else both servers write at once.
TEST_F(TwoServersTest, ConcurrentSubmissionsLogAppendsAndAuditEntries) {
  const store::CaseId shared = new_case(servers_[0], 1);
  tlog::Ed25519Signer signer(tlog::Ed25519Key::generate("example-org"));
  ASSERT_TRUE(servers_[0].log->create("example-org/log", signer));

  constexpr int kPerThread = 12;
  std::atomic<int> ready{0};
  std::mutex mu;
  std::set<store::CaseId> new_cases;
  std::set<store::ItemId> item_ids;
  std::set<std::uint64_t> log_starts;
  std::vector<std::thread> threads;
  auto start_together = [&ready] {
    ++ready;
    while (ready.load() < 8) std::this_thread::yield();
  };
  for (int s = 0; s < 2; ++s) {
    // First contacts, each with an inline item and a blob.
    threads.emplace_back([&, s] {
      Server& server = servers_[s];
      start_together();
      for (int i = 0; i < kPerThread; ++i) {
        const int n = 1000 * (s + 1) + i;
        auto writer = server.store->blobs().create_writer();
        ASSERT_TRUE(writer) << writer.error().message();
        const Bytes content(3000 + n, static_cast<std::uint8_t>(n));
        ASSERT_TRUE((*writer)->write(content));
        ASSERT_TRUE((*writer)->finish());
        store::SourceId source{};
        source[0] = static_cast<std::uint8_t>(n);
        source[1] = static_cast<std::uint8_t>(n >> 8);
        store::WriteBatch batch;
        batch.create_source(source, "alias-" + std::to_string(n), kDay);
        const std::size_t op = batch.create_case(source, kDay);
        const std::size_t a =
            batch.add_item(store::CaseRef::created_by(op), store::Direction::kSource,
                           store::InlineBody{Bytes(50, 1)}, kDay);
        const std::size_t b = batch.add_item(store::CaseRef::created_by(op),
                                             store::Direction::kSource, (*writer)->result(), kDay);
        auto committed = server.store->commit(std::move(batch));
        ASSERT_TRUE(committed) << committed.error().message();
        std::lock_guard lock(mu);
        EXPECT_TRUE(new_cases.insert(committed->id(op)).second);
        EXPECT_TRUE(item_ids.insert(committed->id(a)).second);
        EXPECT_TRUE(item_ids.insert(committed->id(b)).second);
      }
    });
    // Follow-ups, all to the one shared case, committed asynchronously so
    // that the writer groups them.
    threads.emplace_back([&, s] {
      Server& server = servers_[s];
      start_together();
      std::atomic<int> pending{kPerThread};
      for (int i = 0; i < kPerThread; ++i) {
        store::WriteBatch batch;
        const std::size_t op =
            batch.add_item(store::CaseRef::existing(shared), store::Direction::kSource,
                           store::InlineBody{Bytes(40, 2)}, kDay);
        server.store->commit_async(std::move(batch), [&, op](Result<store::CommitResult> result) {
          EXPECT_TRUE(result) << result.error().message();
          if (result) {
            std::lock_guard lock(mu);
            EXPECT_TRUE(item_ids.insert(result->id(op)).second);
          }
          --pending;
        });
      }
      while (pending.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    });
    // Transparency-log appends.
    threads.emplace_back([&, s] {
      Server& server = servers_[s];
      start_together();
      for (int i = 0; i < kPerThread; ++i) {
        const std::string text = "s" + std::to_string(s) + " " + std::to_string(i);
        const std::string other = text + " b";
        const Bytes entries[] = {Bytes(text.begin(), text.end()),
                                 Bytes(other.begin(), other.end())};
        auto appended = server.log->append(entries, signer);
        ASSERT_TRUE(appended) << appended.error().message();
        std::lock_guard lock(mu);
        EXPECT_TRUE(log_starts.insert(appended->first_index).second);
      }
    });
    // Audit entries (reads and replies a reviewer made).
    threads.emplace_back([&, s] {
      Server& server = servers_[s];
      start_together();
      for (int i = 0; i < kPerThread; ++i) {
        auto logged =
            server.workflow->log(s == 0 ? "alice" : "bob", "read", shared, std::to_string(i));
        ASSERT_TRUE(logged) << logged.error().message();
      }
    });
  }
  for (auto& thread : threads) thread.join();

  // Submissions: every acknowledged row once, nothing else.
  EXPECT_EQ(new_cases.size(), 2U * kPerThread);
  EXPECT_EQ(item_ids.size(), 2U * 2 * kPerThread + 2U * kPerThread);
  EXPECT_EQ(count("SELECT count(*) FROM cases"), 1 + 2 * kPerThread);
  EXPECT_EQ(count("SELECT count(*) FROM items"), 1 + 2 * 2 * kPerThread + 2 * kPerThread);
  EXPECT_EQ(count("SELECT count(*) FROM blobs"), 2 * kPerThread);
  EXPECT_EQ(count("SELECT count(*) FROM cases c WHERE item_count <> "
                  "(SELECT count(*) FROM items i WHERE i.case_id = c.case_id)"),
            0);
  const auto shared_items = servers_[1].store->list_items(shared);
  ASSERT_TRUE(shared_items);
  EXPECT_EQ(shared_items->size(), 1U + 2 * kPerThread);
  for (store::CaseId id : new_cases) {
    const auto items = servers_[0].store->list_items(id).value();
    ASSERT_EQ(items.size(), 2U);
    EXPECT_EQ(items[1].location, store::BodyLocation::kBlob);
    EXPECT_TRUE(servers_[1].store->read_item_body(items[1].item_id, 1 << 20));
  }

  // The log: one range per append, no gap, one tree over every entry.
  std::uint64_t expected = 0;
  for (std::uint64_t start : log_starts) {
    EXPECT_EQ(start, expected);
    expected += 2;
  }
  EXPECT_EQ(expected, 4U * kPerThread);
  auto head = servers_[1].log->head();
  ASSERT_TRUE(head) << head.error().message();
  ASSERT_EQ(head->checkpoint.size, 4U * kPerThread);
  const std::uint64_t size = head->checkpoint.size;
  auto bundle_bytes = servers_[0].log->read("tile/entries/000.p/" + std::to_string(size));
  ASSERT_TRUE(bundle_bytes) << bundle_bytes.error().message();
  auto bundle = tlog::parse_entry_bundle(*bundle_bytes, size);
  ASSERT_TRUE(bundle);
  std::set<Bytes> seen;
  std::vector<tlog::Hash> leaves;
  for (const Bytes& e : *bundle) {
    seen.insert(e);
    leaves.push_back(tlog::leaf_hash(e));
  }
  EXPECT_EQ(seen.size(), size);
  EXPECT_EQ(head->checkpoint.root, tlog::root_of(leaves));

  // The audit log: the two reviewer-adds and every read, one chain.
  ASSERT_NO_FATAL_FAILURE(expect_audit_intact(2 + 2 * kPerThread));
}

}  // namespace
}  // namespace safehouse::review
