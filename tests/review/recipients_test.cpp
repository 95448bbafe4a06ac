// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/review/recipients_test.cpp: the recipient set's text (labels,
// malformed input, formatting back) and the administrator's changes on both
// engines: who may be added, the last recipient kept, a removed reviewer
// dropped in the same transaction, new keys at enrolment taking the old
// ones' place, and each change in the (intact) audit log.
#include "review/recipients.h"

#include <gtest/gtest.h>

#include <string>

#include "../store/engines.h"
#include "age/x25519.h"
#include "review/accounts.h"
#include "review/audit.h"
#include "review/workflow.h"
#include "store/account_records.h"

namespace safehouse::review {
namespace {

using store::testing::Engine;
constexpr store::Day kDay = 20261205;

std::string new_recipient() {
  return age::X25519Identity::generate().recipient().to_string();
}

TEST(RecipientEntries, LabelsAreTheCommentAbove) {
  const std::string a = new_recipient();
  const std::string b = new_recipient();
  const std::string c = new_recipient();
  auto entries = parse_recipient_entries("# The set\n\n# reviewer alice\n" + a + "\r\n" + b +
                                         "\n#archive\n" + c);
  ASSERT_TRUE(entries) << entries.error().message();
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[0], (RecipientEntry{a, "reviewer alice"}));
  EXPECT_EQ((*entries)[1], (RecipientEntry{b, ""}));
  EXPECT_EQ((*entries)[2], (RecipientEntry{c, "archive"}));
  auto again = parse_recipient_entries(format_recipient_entries(*entries));
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *entries);
}

TEST(RecipientEntries, MalformedInputIsRefusedWithItsLine) {
  const std::string a = new_recipient();
  struct Case {
    std::string text;
    std::string words;
  };
  const Case cases[] = {
      {"", "no recipient"},
      {"# only a comment\n\n", "no recipient"},
      {a + "\nage1nonsense\n", "line 2: not an age1"},
      {a + "\n" + a + "\n", "line 2: the recipient is listed twice"},
      {"AGE-SECRET-KEY-1QQQ\n", "line 1: not an age1"},
      {" " + a + "\n", "line 1: not an age1"},
      {a.substr(0, 20) + "\n", "line 1: not an age1"},
      {std::string(70 * 1024, '#'), "too large"},
  };
  for (const Case& c : cases) {
    auto entries = parse_recipient_entries(c.text);
    ASSERT_FALSE(entries) << c.text;
    EXPECT_EQ(entries.error().code(), ErrorCode::kMalformed);
    EXPECT_NE(entries.error().message().find(c.words), std::string::npos)
        << entries.error().message();
  }
}

TEST(RecipientEntries, ALabelCannotInjectALine) {
  const std::string a = new_recipient();
  const std::string injected = new_recipient();
  const std::string text = format_recipient_entries({{a, "x\n" + injected}});
  auto entries = parse_recipient_entries(text);
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].recipient, a);
}

class RecipientSetTest : public ::testing::TestWithParam<Engine> {
 protected:
  RecipientSetTest() : db_(GetParam()) {}

  void SetUp() override {
    store_ = db_.open_or_die();
    ASSERT_TRUE(store_);
    workflow_ = std::make_unique<Workflow>(*store_, "Test+0badc0de+AAAA", [] { return kDay; });
    init_recipient_ = new_recipient();
    admin_ = std::make_unique<RecipientSetAdmin>(*store_, "# reviewer\n" + init_recipient_ + "\n");
  }

  // `keys_replaceable`: added without a key file, the browser makes the
  // keys at enrolment (not enrolled yet here).
  store::ReviewerRecord add_reviewer(const std::string& name, bool keys_replaceable) {
    keys_.push_back(ReviewerKeys::generate());
    auto added = workflow_->add_reviewer(name, keys_.back(), "admin");
    EXPECT_TRUE(added) << added.error().message();
    auto link = issue_enrolment(*store_, name, keys_replaceable, "admin", kDay);
    EXPECT_TRUE(link) << link.error().message();
    return *added;
  }

  std::vector<RecipientEntry> stored() {
    std::vector<RecipientEntry> out;
    EXPECT_TRUE(store_->read([&](store::SqlSession& db) -> Result<void> {
      auto set = SAFEHOUSE_TRY(read_recipient_set(db));
      if (set) out = *set;
      return {};
    }));
    return out;
  }

  std::vector<std::string> audit_actions() {
    std::vector<std::string> out;
    EXPECT_TRUE(store_->read([&](store::SqlSession& db) -> Result<void> {
      for (const auto& e : SAFEHOUSE_TRY(store::list_audit(db))) {
        if (e.action.starts_with("recipient-")) out.push_back(e.action + " " + e.detail);
      }
      return {};
    }));
    return out;
  }

  store::testing::EngineDatabase db_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Workflow> workflow_;
  std::unique_ptr<RecipientSetAdmin> admin_;
  std::vector<ReviewerKeys> keys_;
  std::string init_recipient_;
};

TEST_P(RecipientSetTest, AddsEligibleReviewersAndKeys) {
  const auto alice = add_reviewer("alice", false);  // a key file: the keys are hers
  add_reviewer("bob", true);                        // placeholder keys until enrolled
  EXPECT_TRUE(stored().empty());  // the database holds no set until the first change

  auto set = admin_->add("alice", "", "admin", kDay);
  ASSERT_TRUE(set) << set.error().message();
  ASSERT_EQ(set->size(), 2u);
  EXPECT_EQ((*set)[0], (RecipientEntry{init_recipient_, "reviewer"}));
  EXPECT_EQ((*set)[1], (RecipientEntry{alice.recipient, "reviewer alice"}));
  EXPECT_EQ(stored(), *set);

  auto refused = admin_->add("bob", "", "admin", kDay);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kConflict);
  EXPECT_NE(refused.error().message().find("has not enrolled yet"), std::string::npos);
  refused = admin_->add("alice", "", "admin", kDay);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("already in the recipient set"), std::string::npos);
  refused = admin_->add("nobody", "", "admin", kDay);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kNotFound);
  refused = admin_->add(alice.recipient, "", "admin", kDay);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("add them by name"), std::string::npos);
  refused = admin_->add("age1qqqq", "", "admin", kDay);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kInvalidArgument);

  const std::string archive = new_recipient();
  set = admin_->add(archive, "offline archive", "admin", kDay);
  ASSERT_TRUE(set) << set.error().message();
  EXPECT_EQ(set->back(), (RecipientEntry{archive, "offline archive"}));

  auto listing = admin_->list();
  ASSERT_TRUE(listing);
  ASSERT_EQ(listing->size(), 3u);
  EXPECT_EQ((*listing)[1].reviewer, "alice");
  EXPECT_TRUE((*listing)[1].reviewer_active);
  EXPECT_EQ((*listing)[2].reviewer, "");
  EXPECT_EQ(audit_actions(), (std::vector<std::string>{"recipient-add alice " + alice.recipient,
                                                       "recipient-add key " + archive}));
  auto verified = verify_audit(*store_);
  ASSERT_TRUE(verified);
  EXPECT_FALSE(verified->first_broken);
}

TEST_P(RecipientSetTest, TheLastRecipientStays) {
  const auto alice = add_reviewer("alice", false);
  ASSERT_TRUE(admin_->add("alice", "", "admin", kDay));
  auto set = admin_->remove("reviewer", "admin", kDay);  // by label
  ASSERT_TRUE(set) << set.error().message();
  EXPECT_EQ(*set, (std::vector<RecipientEntry>{{alice.recipient, "reviewer alice"}}));

  auto refused = admin_->remove("alice", "admin", kDay);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kConflict);
  EXPECT_NE(refused.error().message().find("last recipient"), std::string::npos);
  // Removing the reviewer is refused too, and leaves them active.
  auto removed = workflow_->remove_reviewer("alice", "admin");
  ASSERT_FALSE(removed);
  EXPECT_NE(removed.error().message().find("last recipient"), std::string::npos);
  EXPECT_TRUE(workflow_->reviewers().value()[0].active());
  refused = admin_->remove(init_recipient_, "admin", kDay);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(stored().size(), 1u);
}

TEST_P(RecipientSetTest, RemovingAReviewerDropsThemFromTheSet) {
  const auto alice = add_reviewer("alice", false);
  const auto carol = add_reviewer("carol", false);
  ASSERT_TRUE(admin_->add("alice", "", "admin", kDay));
  ASSERT_TRUE(admin_->add("carol", "", "admin", kDay));
  ASSERT_TRUE(workflow_->remove_reviewer("alice", "admin"));
  const auto set = stored();
  ASSERT_EQ(set.size(), 2u);
  EXPECT_EQ(set[1].recipient, carol.recipient);
  EXPECT_EQ(audit_actions().back(), "recipient-remove alice " + alice.recipient);
  auto refused = admin_->add("alice", "", "admin", kDay);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("was removed"), std::string::npos);
}

TEST_P(RecipientSetTest, NewKeysAtEnrolmentReplaceTheOldOnes) {
  const auto alice = add_reviewer("alice", false);
  ASSERT_TRUE(admin_->add("alice", "", "admin", kDay));
  const std::string fresh = new_recipient();
  store::WriteBatch batch;
  batch.run_exclusive("audit", [&](store::SqlSession& db) -> Result<std::int64_t> {
    SAFEHOUSE_TRY_VOID(replace_recipient(db, "alice", alice.recipient, fresh, kDay));
    return 0;
  });
  ASSERT_TRUE(store_->commit(std::move(batch)));
  const auto set = stored();
  ASSERT_EQ(set.size(), 2u);
  EXPECT_EQ(set[1], (RecipientEntry{fresh, "reviewer alice"}));
  EXPECT_EQ(audit_actions().back(), "recipient-replace " + alice.recipient + " -> " + fresh);
}

INSTANTIATE_TEST_SUITE_P(Engines, RecipientSetTest,
                         ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         store::testing::engine_name);

}  // namespace
}  // namespace safehouse::review
