// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/review/accounts_test.cpp: reviewers' staff accounts on both engines
// (SQLite, PostgreSQL): the enrolment link (hash only, single use, expiry),
// enrolment with keys made in the browser or imported, sign-in with the
// authentication key and a TOTP code; a wrong passphrase, a wrong or
// replayed code, an expired link, the throttle and the lockout after five
// failures; unlock; and that the stored data holds neither the passphrase
// nor the identity (nor the unlocking key) in plaintext. The "browser"
// here does what web/src/staff.js does, with libsodium.
#include "review/accounts.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "../store/engines.h"
#include "crypto/hkdf.h"
#include "crypto/sha256.h"
#include "intake/sources.h"
#include "review/audit.h"
#include "review/base32.h"
#include "review/reviewer_keys.h"
#include "review/totp.h"
#include "review/workflow.h"
#include "staff_browser.h"

namespace safehouse::review {
namespace {

using testing::Browser;

using store::testing::Engine;
using namespace std::chrono_literals;

constexpr const char* kInstallation = "Test+0badc0de+AAAA";
constexpr std::string_view kPassphrase = "correct horse battery staple marker-7f3a";

class AccountsTest : public ::testing::TestWithParam<Engine> {
 protected:
  AccountsTest() : db_(GetParam()) {}

  void SetUp() override {
    store_ = db_.open_or_die();
    ASSERT_TRUE(store_);
    workflow_ = std::make_unique<Workflow>(*store_, kInstallation, [this] { return today(); });
    accounts_ = std::make_unique<StaffAccounts>(*store_, crypto::SecretBytes::random(32),
                                                [this] { return now_; });
    ASSERT_TRUE(workflow_->add_reviewer("alice", placeholder_, "admin"));
    ASSERT_TRUE(workflow_->add_reviewer("bob", bob_keys_, "admin"));
  }
  store::Day today() const { return store::day_of(now_); }

  // alice enrols through the browser with new keys; returns her unlocking key.
  EnrolmentRequest request_for(const std::string& token, const ReviewerKeys& keys,
                               std::string_view name, std::string_view passphrase) {
    auto [auth, unlock] = Browser::stretch(passphrase, kInstallation, name);
    unlock_ = unlock;
    const crypto::SecretBytes identity = keys.identity().to_string();
    EnrolmentRequest r;
    r.token = token;
    r.auth_key = auth;
    r.identity_box = Browser::box(unlock, name, identity.reveal());
    r.recipient = keys.recipient();
    r.signing_key = keys.signing_key();
    r.totp_secret = totp_secret_;
    r.totp_code = code();
    return r;
  }
  std::string code(std::chrono::seconds offset = 0s) {
    const auto t =
        std::chrono::duration_cast<std::chrono::seconds>((now_ + offset).time_since_epoch());
    return totp_code(totp_secret_, t.count()).value();
  }
  LoginRequest login_request(std::string_view passphrase, std::string totp) {
    return {"alice", Browser::stretch(passphrase, kInstallation, "alice").first, std::move(totp)};
  }
  void enrol_alice() {
    auto link = issue_enrolment(*store_, "alice", true, "admin", today());
    ASSERT_TRUE(link) << link.error().message();
    auto enrolled = accounts_->enrol(request_for(link->token, alice_keys_, "alice", kPassphrase));
    ASSERT_TRUE(enrolled) << enrolled.error().message();
    now_ += 30s;  // the enrolment's code is used up
  }
  store::AccountRecord account(std::string_view name) {
    store::AccountRecord out;
    EXPECT_TRUE(store_->read([&](store::SqlSession& db) -> Result<void> {
      auto r = SAFEHOUSE_TRY(store::find_reviewer_by_name(db, name));
      out = SAFEHOUSE_TRY(store::find_account(db, r->reviewer_id)).value_or(store::AccountRecord{});
      return {};
    }));
    return out;
  }
  std::string last_audit() {
    std::string out;
    EXPECT_TRUE(store_->read([&](store::SqlSession& db) -> Result<void> {
      auto e = SAFEHOUSE_TRY(store::last_audit(db));
      if (e) out = e->actor + " " + e->action + " " + e->detail;
      return {};
    }));
    return out;
  }

  store::testing::EngineDatabase db_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Workflow> workflow_;
  std::unique_ptr<StaffAccounts> accounts_;
  std::chrono::system_clock::time_point now_ =
      std::chrono::system_clock::time_point(std::chrono::seconds(1796400000));  // 2026-12-05
  ReviewerKeys placeholder_ = ReviewerKeys::generate();
  ReviewerKeys alice_keys_ = ReviewerKeys::generate();
  ReviewerKeys bob_keys_ = ReviewerKeys::generate();
  Bytes totp_secret_ = [] {
    Bytes s(20);
    randombytes_buf(s.data(), s.size());
    return s;
  }();
  Bytes unlock_;
};

TEST(AccountDays, AddDaysCrossesMonthsAndYears) {
  EXPECT_EQ(add_days(20261205, 3), 20261208);
  EXPECT_EQ(add_days(20261230, 3), 20270102);
  EXPECT_EQ(add_days(20280227, 3), 20280301);
}

TEST_P(AccountsTest, EnrolmentLinkIsStoredAsAHashAndExpiresAfterThreeDays) {
  auto link = issue_enrolment(*store_, "alice", true, "admin", today());
  ASSERT_TRUE(link);
  EXPECT_EQ(link->token.size(), 64u);
  EXPECT_EQ(link->until_day, add_days(today(), 3));
  const auto stored = account("alice");
  const auto hash = crypto::sha256(as_bytes(link->token));
  EXPECT_EQ(stored.enrol_token_hash, Bytes(hash.begin(), hash.end()));
  EXPECT_EQ(account_state(&stored, today()),
            "pending until " + intake::format_day(link->until_day));
  EXPECT_EQ(last_audit(), "admin enrol-link alice until " + intake::format_day(link->until_day));

  auto info = accounts_->check_token(link->token);
  ASSERT_TRUE(info) << info.error().message();
  EXPECT_EQ(info->name, "alice");
  EXPECT_TRUE(info->keys_replaceable);
  EXPECT_EQ(accounts_->check_token(std::string(64, 'a')).error().code(), ErrorCode::kNoMatch);
  EXPECT_EQ(accounts_->check_token("not hex").error().code(), ErrorCode::kNoMatch);

  now_ += std::chrono::hours(24 * 3);  // the last valid day
  EXPECT_TRUE(accounts_->check_token(link->token));
  now_ += std::chrono::hours(24);
  EXPECT_EQ(accounts_->check_token(link->token).error().code(), ErrorCode::kConflict);
  auto late = accounts_->enrol(request_for(link->token, alice_keys_, "alice", kPassphrase));
  EXPECT_FALSE(late);
  const auto after = account("alice");
  EXPECT_EQ(account_state(&after, today()), "link expired");
  EXPECT_FALSE(after.enrolled());
}

TEST_P(AccountsTest, EnrolmentReplacesPlaceholderKeysAndIsSingleUse) {
  auto link = issue_enrolment(*store_, "alice", true, "admin", today());
  ASSERT_TRUE(link);
  auto wrong_code = request_for(link->token, alice_keys_, "alice", kPassphrase);
  wrong_code.totp_code = code(120s);
  auto refused = accounts_->enrol(wrong_code);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kIntegrity) << refused.error().message();
  auto enrolled = accounts_->enrol(request_for(link->token, alice_keys_, "alice", kPassphrase));
  ASSERT_TRUE(enrolled) << enrolled.error().message();
  EXPECT_EQ(last_audit(), "alice enrol keys made in the browser " + alice_keys_.recipient());
  // The registered keys are the browser's now: approvals signed with them count.
  auto reviewer = workflow_->reviewer_of([&] {
    std::vector<ReviewerKeys> v;
    v.push_back(ReviewerKeys::from_identity(
        age::X25519Identity::parse(
            std::string_view(
                reinterpret_cast<const char*>(alice_keys_.identity().to_string().reveal().data()),
                alice_keys_.identity().to_string().reveal().size()))
            .value()));
    return v;
  }());
  ASSERT_TRUE(reviewer);
  EXPECT_EQ(reviewer->name, "alice");
  const auto stored = account("alice");
  EXPECT_TRUE(stored.enrolled());
  EXPECT_TRUE(stored.enrol_token_hash.empty());
  EXPECT_EQ(account_state(&stored, today()), "enrolled");
  // Used once: the same link again is unknown.
  now_ += 30s;
  EXPECT_EQ(
      accounts_->enrol(request_for(link->token, alice_keys_, "alice", kPassphrase)).error().code(),
      ErrorCode::kNoMatch);
}

TEST_P(AccountsTest, KeysHandedOutAsAFileMustBeImported) {
  auto link = issue_enrolment(*store_, "bob", false, "admin", today());
  ASSERT_TRUE(link);
  auto other = accounts_->enrol(request_for(link->token, alice_keys_, "bob", kPassphrase));
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code(), ErrorCode::kConflict);
  auto same = accounts_->enrol(request_for(link->token, bob_keys_, "bob", kPassphrase));
  ASSERT_TRUE(same) << same.error().message();
  EXPECT_EQ(last_audit(), "bob enrol keys kept " + bob_keys_.recipient());
}

TEST_P(AccountsTest, EnrolmentRefusesMalformedFields) {
  auto link = issue_enrolment(*store_, "alice", true, "admin", today());
  ASSERT_TRUE(link);
  auto r = request_for(link->token, alice_keys_, "alice", kPassphrase);
  auto bad = r;
  bad.auth_key.resize(31);
  EXPECT_EQ(accounts_->enrol(bad).error().code(), ErrorCode::kInvalidArgument);
  bad = r;
  bad.identity_box.resize(600);
  EXPECT_EQ(accounts_->enrol(bad).error().code(), ErrorCode::kInvalidArgument);
  bad = r;
  bad.totp_secret.resize(8);
  EXPECT_EQ(accounts_->enrol(bad).error().code(), ErrorCode::kInvalidArgument);
  bad = r;
  bad.recipient = "age1notarecipient";
  EXPECT_EQ(accounts_->enrol(bad).error().code(), ErrorCode::kInvalidArgument);
  // None of them used the link up.
  EXPECT_TRUE(accounts_->check_token(link->token));
}

TEST_P(AccountsTest, LoginNeedsThePassphraseAndAFreshCode) {
  enrol_alice();
  auto ok = accounts_->login(login_request(kPassphrase, code()));
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_EQ(ok->name, "alice");
  EXPECT_EQ(ok->recipient, alice_keys_.recipient());
  // The browser opens the box with the unlocking key it never sent.
  const auto identity = Browser::open(unlock_, "alice", ok->identity_box);
  ASSERT_TRUE(identity);
  EXPECT_EQ(identity->rfind("AGE-SECRET-KEY-1", 0), 0u);
  EXPECT_FALSE(Browser::open(Browser::stretch("wrong", kInstallation, "alice").second, "alice",
                             ok->identity_box));
  EXPECT_EQ(last_audit(), "alice login ");

  // The same code twice: a replay.
  auto replay = accounts_->login(login_request(kPassphrase, code()));
  EXPECT_EQ(replay.error().code(), ErrorCode::kNoMatch);
  EXPECT_EQ(last_audit(), "alice login-refused wrong code (1 of 5)");
  now_ += 60s;
  auto wrong_pass = accounts_->login(login_request("Correct horse battery staple", code()));
  EXPECT_EQ(wrong_pass.error().code(), ErrorCode::kNoMatch);
  EXPECT_EQ(wrong_pass.error().message(), "wrong name, passphrase or code");
  EXPECT_EQ(last_audit(), "alice login-refused wrong passphrase (2 of 5)");
  now_ += 60s;
  auto stale = accounts_->login(login_request(kPassphrase, code(-90s)));
  EXPECT_EQ(stale.error().code(), ErrorCode::kNoMatch);
  now_ += 60s;
  EXPECT_TRUE(accounts_->login(login_request(kPassphrase, code())));
  EXPECT_EQ(account("alice").failed_logins, 0);
  // Unknown names and bob (not enrolled) get the same answer, and no entry.
  const std::string before = last_audit();
  now_ += 60s;
  EXPECT_EQ(accounts_->login({"mallory", Bytes(32, 1), code()}).error().message(),
            "wrong name, passphrase or code");
  EXPECT_EQ(accounts_->login({"bob", Bytes(32, 1), code()}).error().message(),
            "wrong name, passphrase or code");
  EXPECT_EQ(accounts_->login({"../bob", Bytes(32, 1), code()}).error().code(), ErrorCode::kNoMatch);
  EXPECT_EQ(last_audit(), before);
}

TEST_P(AccountsTest, FailuresAreThrottledAndTheFifthLocksUntilUnlocked) {
  enrol_alice();
  auto first = accounts_->login(login_request("wrong", code()));
  EXPECT_EQ(first.error().code(), ErrorCode::kNoMatch);
  // Straight away again: throttled, and not counted.
  auto throttled = accounts_->login(login_request(kPassphrase, code()));
  EXPECT_EQ(throttled.error().code(), ErrorCode::kQuotaExceeded);
  EXPECT_EQ(account("alice").failed_logins, 1);
  for (int i = 2; i <= 5; ++i) {
    now_ += 61s;
    EXPECT_EQ(accounts_->login(login_request("wrong", code())).error().code(), ErrorCode::kNoMatch);
  }
  EXPECT_TRUE(account("alice").locked);
  EXPECT_EQ(last_audit(), "alice login-refused wrong passphrase (5 of 5); locked");
  now_ += 61s;
  // Locked: even the right passphrase and code do not sign in.
  auto locked = accounts_->login(login_request(kPassphrase, code()));
  EXPECT_EQ(locked.error().code(), ErrorCode::kConflict);
  auto stored = account("alice");
  EXPECT_EQ(account_state(&stored, today()), "locked");
  ASSERT_TRUE(unlock_account(*store_, "alice", "admin", today()));
  EXPECT_EQ(last_audit(), "admin unlock alice");
  now_ += 61s;
  EXPECT_TRUE(accounts_->login(login_request(kPassphrase, code())));
  EXPECT_EQ(unlock_account(*store_, "mallory", "admin", today()).error().code(),
            ErrorCode::kNotFound);
}

TEST_P(AccountsTest, TotpSecretIsSealedAndUnsealsForTheServerOnly) {
  enrol_alice();
  auto secret = accounts_->totp_secret_of("alice");
  ASSERT_TRUE(secret) << secret.error().message();
  EXPECT_EQ(Bytes(secret->reveal().begin(), secret->reveal().end()), totp_secret_);
  StaffAccounts other(*store_, crypto::SecretBytes::random(32), [this] { return now_; });
  EXPECT_EQ(other.totp_secret_of("alice").error().code(), ErrorCode::kIntegrity);
}

// Every value in every table, as bytes.
Bytes dump(store::Store& store) {
  Bytes out;
  EXPECT_TRUE(store.read([&](store::SqlSession& db) -> Result<void> {
    out.clear();
    for (const char* table :
         {"settings", "reviewers", "reviewer_accounts", "audit_log", "case_events"}) {
      for (const auto& row : SAFEHOUSE_TRY(db.query(std::string("SELECT * FROM ") + table))) {
        for (const auto& value : row.values) {
          if (const auto* text = std::get_if<std::string>(&value)) {
            out.insert(out.end(), text->begin(), text->end());
          } else if (const auto* bytes = std::get_if<Bytes>(&value)) {
            out.insert(out.end(), bytes->begin(), bytes->end());
          }
          out.push_back(0);
        }
      }
    }
    return {};
  }));
  return out;
}

bool contains(const Bytes& haystack, ByteSpan needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
         haystack.end();
}

std::string hex(ByteSpan b) {
  std::string out;
  for (auto c : b) out += "0123456789abcdef"[c >> 4], out += "0123456789abcdef"[c & 15];
  return out;
}

TEST_P(AccountsTest, StoredDataHoldsNeitherThePassphraseNorTheIdentity) {
  enrol_alice();
  ASSERT_TRUE(accounts_->login(login_request(kPassphrase, code())));
  const Bytes all = dump(*store_);
  ASSERT_FALSE(all.empty());
  // The scan finds what is there (the recipient is public and stored).
  EXPECT_TRUE(contains(all, as_bytes(alice_keys_.recipient())));
  const crypto::SecretBytes identity = alice_keys_.identity().to_string();
  const std::string identity_text(reinterpret_cast<const char*>(identity.reveal().data()),
                                  identity.reveal().size());
  std::string lower = identity_text;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const std::string& secret :
       {std::string(kPassphrase), std::string("marker-7f3a"), identity_text, lower,
        identity_text.substr(16, 40), hex(unlock_), review::base32_encode(totp_secret_)}) {
    EXPECT_FALSE(contains(all, as_bytes(secret))) << secret.substr(0, 20);
  }
  for (const Bytes& secret : {unlock_, totp_secret_, login_request(kPassphrase, "").auth_key}) {
    EXPECT_FALSE(contains(all, secret));
  }
  if (GetParam() == Engine::kSqlite) {
    // The database file and its WAL too.
    for (const std::string& file :
         {std::string(store::kSqliteFileName), std::string(store::kSqliteFileName) + "-wal"}) {
      std::ifstream in(db_.dir() / file, std::ios::binary);
      const Bytes raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      EXPECT_FALSE(contains(raw, as_bytes(kPassphrase))) << file;
      EXPECT_FALSE(contains(raw, as_bytes(identity_text))) << file;
      EXPECT_FALSE(contains(raw, unlock_)) << file;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, AccountsTest,
                         ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         store::testing::engine_name);

}  // namespace
}  // namespace safehouse::review
