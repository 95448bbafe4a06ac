// SPDX-License-Identifier: AGPL-3.0-or-later
// review/accounts.cpp: enrolment, sign-in, lockout and throttling of
// reviewers' staff accounts (review/accounts.h). Every write is one
// transaction under the audit log's lock, with its audit entry.
#include "review/accounts.h"

#include <sodium.h>

#include <algorithm>
#include <optional>

#include "age/x25519.h"
#include "crypto/sha256.h"
#include "intake/sources.h"
#include "review/audit.h"
#include "review/recipients.h"
#include "review/reviewer_keys.h"
#include "review/totp.h"

namespace safehouse::review {
namespace {

constexpr std::string_view kWrongLogin = "wrong name, passphrase or code";
// Throttle entries kept for names that keep failing; beyond, the oldest go.
constexpr std::size_t kMaxThrottleEntries = 10000;

store::Sha256 token_hash(std::string_view token) {
  return crypto::sha256(as_bytes(token));
}

bool is_token_text(std::string_view token) {
  return token.size() == 2 * kEnrolmentTokenBytes &&
         std::all_of(token.begin(), token.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string hex_of(ByteSpan bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

Result<store::ReviewerRecord> active_reviewer(store::SqlSession& db, std::string_view name) {
  auto found = SAFEHOUSE_TRY(store::find_reviewer_by_name(db, name));
  if (!found || !found->active()) {
    return Error(ErrorCode::kNotFound,
                 "reviewer " + std::string(name) + ": no such active reviewer");
  }
  return *found;
}

bool equal_bytes(ByteSpan a, ByteSpan b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

store::Day add_days(store::Day day, int days) {
  using namespace std::chrono;
  const year_month_day ymd{year(day / 10000), month(static_cast<unsigned>(day / 100 % 100)),
                           std::chrono::day(static_cast<unsigned>(day % 100))};
  const year_month_day later{sys_days(ymd) + std::chrono::days(days)};
  return static_cast<store::Day>(static_cast<int>(later.year()) * 10000 +
                                 static_cast<unsigned>(later.month()) * 100 +
                                 static_cast<unsigned>(later.day()));
}

store::Sha256 auth_verifier(ByteSpan auth_key) {
  crypto::Sha256 hasher;
  hasher.update(as_bytes(std::string_view("safehouse/staff/auth/v1\n")));
  hasher.update(auth_key);
  return hasher.finish();
}

Result<EnrolmentToken> issue_enrolment(store::Store& store, std::string_view name,
                                       bool keys_replaceable, std::string_view actor,
                                       store::Day today) {
  Bytes raw(kEnrolmentTokenBytes);
  randombytes_buf(raw.data(), raw.size());
  EnrolmentToken out{hex_of(raw), add_days(today, kEnrolmentDays)};
  sodium_memzero(raw.data(), raw.size());
  const store::Sha256 hash = token_hash(out.token);
  auto committed = commit_under_audit_lock(store, [&](store::SqlSession& db) -> Result<void> {
    const auto reviewer = SAFEHOUSE_TRY(active_reviewer(db, name));
    store::AccountRecord account;
    account.reviewer_id = reviewer.reviewer_id;
    account.enrol_token_hash.assign(hash.begin(), hash.end());
    account.enrol_until_day = out.until_day;
    account.keys_replaceable = keys_replaceable;
    SAFEHOUSE_TRY_VOID(store::put_account(db, account));
    return append_audit(db,
                        {std::string(actor), "enrol-link", 0,
                         reviewer.name + " until " + intake::format_day(out.until_day)},
                        today);
  });
  if (!committed) return committed.error().with_context("enrolment link");
  return out;
}

Result<void> unlock_account(store::Store& store, std::string_view name, std::string_view actor,
                            store::Day today) {
  auto committed = commit_under_audit_lock(store, [&](store::SqlSession& db) -> Result<void> {
    const auto reviewer = SAFEHOUSE_TRY(active_reviewer(db, name));
    const auto account = SAFEHOUSE_TRY(store::find_account(db, reviewer.reviewer_id));
    if (!account) {
      return Error(ErrorCode::kNotFound, "reviewer " + reviewer.name + " has no account");
    }
    SAFEHOUSE_TRY_VOID(store::set_login_failures(db, reviewer.reviewer_id, 0, false));
    return append_audit(db, {std::string(actor), "unlock", 0, reviewer.name}, today);
  });
  if (!committed) return committed.error().with_context("unlock");
  return {};
}

std::string account_state(const store::AccountRecord* account, store::Day today) {
  if (account == nullptr) return "-";
  if (account->enrolled()) return account->locked ? "locked" : "enrolled";
  if (account->enrol_token_hash.empty()) return "-";
  if (account->enrol_until_day < today) return "link expired";
  return "pending until " + intake::format_day(account->enrol_until_day);
}

Result<std::map<std::int64_t, store::AccountRecord>> accounts_by_reviewer(store::Store& store) {
  std::map<std::int64_t, store::AccountRecord> out;
  SAFEHOUSE_TRY_VOID(store.read([&](store::SqlSession& db) -> Result<void> {
    out.clear();
    for (auto& a : SAFEHOUSE_TRY(store::list_accounts(db))) out[a.reviewer_id] = std::move(a);
    return {};
  }));
  return out;
}

StaffAccounts::StaffAccounts(store::Store& store, crypto::SecretBytes seal_key, Clock clock)
    : store_(store), seal_key_(std::move(seal_key)), clock_(std::move(clock)) {}

Bytes StaffAccounts::seal(ByteSpan secret) const {
  Bytes out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + secret.size());
  randombytes_buf(out.data(), crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(out.data() + crypto_secretbox_NONCEBYTES, secret.data(), secret.size(),
                        out.data(), seal_key_.reveal().data());
  return out;
}

Result<crypto::SecretBytes> StaffAccounts::unseal(ByteSpan box) const {
  constexpr std::size_t kOverhead = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES;
  if (box.size() <= kOverhead || box.size() > kOverhead + kTotpSecretMaxBytes) {
    return Error(ErrorCode::kIntegrity, "account: the sealed TOTP secret is damaged");
  }
  crypto::SecretBytes out(box.size() - kOverhead);
  if (crypto_secretbox_open_easy(out.reveal().data(), box.data() + crypto_secretbox_NONCEBYTES,
                                 box.size() - crypto_secretbox_NONCEBYTES, box.data(),
                                 seal_key_.reveal().data()) != 0) {
    return Error(ErrorCode::kIntegrity,
                 "account: the TOTP secret does not open with this server's key");
  }
  return out;
}

Result<EnrolmentInfo> StaffAccounts::check_token(std::string_view token) {
  if (!is_token_text(token)) return Error(ErrorCode::kNoMatch, "unknown or used enrolment link");
  const store::Sha256 hash = token_hash(token);
  const store::Day today = store::day_of(clock_());
  EnrolmentInfo info;
  SAFEHOUSE_TRY_VOID(store_.read([&](store::SqlSession& db) -> Result<void> {
    const auto account = SAFEHOUSE_TRY(store::find_account_by_token(db, hash));
    if (!account) return Error(ErrorCode::kNoMatch, "unknown or used enrolment link");
    if (account->enrol_until_day < today) {
      return Error(ErrorCode::kConflict, "this enrolment link has expired: ask for a new one");
    }
    const auto reviewer = SAFEHOUSE_TRY(store::find_reviewer_by_id(db, account->reviewer_id));
    if (!reviewer || !reviewer->active()) {
      return Error(ErrorCode::kConflict, "this reviewer was removed");
    }
    info = {reviewer->name, reviewer->recipient, account->keys_replaceable};
    return {};
  }));
  return info;
}

Result<EnrolmentInfo> StaffAccounts::enrol(const EnrolmentRequest& request) {
  if (request.auth_key.size() != kAuthKeyBytes) {
    return invalid_argument("enrolment: the authentication key must be 32 bytes");
  }
  if (request.identity_box.size() < kMinIdentityBoxBytes ||
      request.identity_box.size() > kMaxIdentityBoxBytes) {
    return invalid_argument("enrolment: the identity box must be 41 to 512 bytes");
  }
  if (request.totp_secret.size() < kTotpSecretMinBytes ||
      request.totp_secret.size() > kTotpSecretMaxBytes) {
    return invalid_argument("enrolment: the TOTP secret must be 16 to 64 bytes");
  }
  if (!age::X25519Recipient::parse(request.recipient)) {
    return invalid_argument("enrolment: the recipient is not an age X25519 recipient");
  }
  EnrolmentInfo info = SAFEHOUSE_TRY(check_token(request.token));
  const auto now = clock_();
  const std::int64_t unix_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const auto step = totp_match(request.totp_secret, request.totp_code, unix_seconds);
  if (!step) {
    return Error(ErrorCode::kIntegrity,
                 "enrolment: the code does not match (check the authenticator app's clock)");
  }
  const store::Day today = store::day_of(now);
  const store::Sha256 hash = token_hash(request.token);
  const store::Sha256 verifier = auth_verifier(request.auth_key);
  const Bytes totp_box = seal(request.totp_secret);
  std::int64_t reviewer_id = 0;
  auto committed = commit_under_audit_lock(store_, [&](store::SqlSession& db) -> Result<void> {
    // Checked again inside the transaction: a token is used once.
    auto account = SAFEHOUSE_TRY(store::find_account_by_token(db, hash));
    if (!account || account->enrol_until_day < today) {
      return Error(ErrorCode::kNoMatch, "unknown or used enrolment link");
    }
    const auto reviewer = SAFEHOUSE_TRY(store::find_reviewer_by_id(db, account->reviewer_id));
    if (!reviewer || !reviewer->active()) {
      return Error(ErrorCode::kConflict, "this reviewer was removed");
    }
    const bool same_keys =
        reviewer->recipient == request.recipient && reviewer->signing_key == request.signing_key;
    if (!same_keys) {
      if (!account->keys_replaceable) {
        return Error(ErrorCode::kConflict,
                     "enrolment: this reviewer's keys were handed out as a file; import that "
                     "key file instead of making new keys");
      }
      SAFEHOUSE_TRY_VOID(store::set_reviewer_keys(db, reviewer->reviewer_id, request.recipient,
                                                  request.signing_key));
      // In the recipient set, the new key takes the old one's place.
      SAFEHOUSE_TRY_VOID(
          replace_recipient(db, reviewer->name, reviewer->recipient, request.recipient, today));
    }
    account->enrol_token_hash.clear();
    account->keys_replaceable = false;
    account->enrolled_day = today;
    account->auth_verifier.assign(verifier.begin(), verifier.end());
    account->identity_box = request.identity_box;
    account->totp_box = totp_box;
    account->failed_logins = 0;
    account->locked = false;
    SAFEHOUSE_TRY_VOID(store::put_account(db, *account));
    reviewer_id = reviewer->reviewer_id;
    return append_audit(db,
                        {reviewer->name, "enrol", 0,
                         same_keys ? "keys kept " + request.recipient
                                   : "keys made in the browser " + request.recipient},
                        today);
  });
  if (!committed) return committed.error();
  {
    std::lock_guard lock(mutex_);
    last_step_[reviewer_id] = *step;  // the code just used cannot sign in
  }
  info.recipient = request.recipient;
  info.keys_replaceable = false;
  return info;
}

Result<void> StaffAccounts::check_throttle(const std::string& name,
                                           std::chrono::system_clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = throttle_.find(name);
  if (it == throttle_.end() || now >= it->second.next_allowed) return {};
  const auto wait =
      std::chrono::duration_cast<std::chrono::seconds>(it->second.next_allowed - now).count() + 1;
  return Error(ErrorCode::kQuotaExceeded,
               "too many sign-in attempts: wait " + std::to_string(wait) + " s");
}

void StaffAccounts::note_attempt(const std::string& name, bool ok,
                                 std::chrono::system_clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (ok) {
    throttle_.erase(name);
    return;
  }
  if (throttle_.size() >= kMaxThrottleEntries && !throttle_.contains(name)) throttle_.clear();
  Throttle& t = throttle_[name];
  t.failures = std::min(t.failures + 1, 16);
  const int seconds = std::min(1 << (t.failures - 1), kMaxThrottleSeconds);
  t.next_allowed = now + std::chrono::seconds(seconds);
}

Result<LoginResult> StaffAccounts::login(const LoginRequest& request) {
  const auto now = clock_();
  if (!check_reviewer_name(request.name))
    return Error(ErrorCode::kNoMatch, std::string(kWrongLogin));
  SAFEHOUSE_TRY_VOID(check_throttle(request.name, now));
  const store::Day today = store::day_of(now);
  const std::int64_t unix_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  std::optional<Error> refusal;
  LoginResult result;
  std::int64_t reviewer_id = 0;
  std::int64_t step = 0;
  auto committed = commit_under_audit_lock(store_, [&](store::SqlSession& db) -> Result<void> {
    refusal.reset();
    auto reviewer = SAFEHOUSE_TRY(store::find_reviewer_by_name(db, request.name));
    std::optional<store::AccountRecord> account;
    if (reviewer && reviewer->active()) {
      account = SAFEHOUSE_TRY(store::find_account(db, reviewer->reviewer_id));
    }
    if (!account || !account->enrolled()) {
      refusal = Error(ErrorCode::kNoMatch, std::string(kWrongLogin));
      return {};  // nothing to count or log for a name with no account
    }
    if (account->locked) {
      refusal = Error(ErrorCode::kConflict,
                      "this account is locked after " + std::to_string(kMaxLoginFailures) +
                          " failed sign-ins: an administrator runs `safehouse reviewer unlock`");
      return append_audit(db, {reviewer->name, "login-refused", 0, "locked"}, today);
    }
    const store::Sha256 verifier = auth_verifier(request.auth_key);
    const bool key_ok =
        request.auth_key.size() == kAuthKeyBytes && equal_bytes(verifier, account->auth_verifier);
    std::optional<std::int64_t> matched;
    if (key_ok) {
      auto secret = SAFEHOUSE_TRY(unseal(account->totp_box));
      matched = totp_match(secret.reveal(), request.totp_code, unix_seconds);
      std::lock_guard lock(mutex_);
      auto last = last_step_.find(reviewer->reviewer_id);
      if (matched && last != last_step_.end() && *matched <= last->second) matched.reset();
    }
    if (key_ok && matched) {
      SAFEHOUSE_TRY_VOID(store::set_login_failures(db, reviewer->reviewer_id, 0, false));
      result = {reviewer->name, reviewer->recipient, account->identity_box};
      reviewer_id = reviewer->reviewer_id;
      step = *matched;
      return append_audit(db, {reviewer->name, "login", 0, ""}, today);
    }
    const std::int64_t failures = account->failed_logins + 1;
    const bool lock = failures >= kMaxLoginFailures;
    SAFEHOUSE_TRY_VOID(store::set_login_failures(db, reviewer->reviewer_id, failures, lock));
    refusal = Error(ErrorCode::kNoMatch, std::string(kWrongLogin));
    std::string why = key_ok ? "wrong code" : "wrong passphrase";
    why += " (" + std::to_string(failures) + " of " + std::to_string(kMaxLoginFailures) + ")";
    if (lock) why += "; locked";
    return append_audit(db, {reviewer->name, "login-refused", 0, why}, today);
  });
  if (!committed) return committed.error();
  note_attempt(request.name, !refusal, now);
  if (refusal) return *refusal;
  {
    std::lock_guard lock(mutex_);
    last_step_[reviewer_id] = step;  // a code signs in once
  }
  return result;
}

Result<bool> StaffAccounts::may_stay_signed_in(std::string_view name) {
  bool allowed = false;
  SAFEHOUSE_TRY_VOID(store_.read([&](store::SqlSession& db) -> Result<void> {
    allowed = false;
    const auto reviewer = SAFEHOUSE_TRY(store::find_reviewer_by_name(db, name));
    if (!reviewer || !reviewer->active()) return {};
    const auto account = SAFEHOUSE_TRY(store::find_account(db, reviewer->reviewer_id));
    // Sign-in needs an enrolled account; a pending one means a new link
    // replaced it. (No account at all: sessions made without sign-in, tests.)
    allowed = !account || account->enrolled();
    return {};
  }));
  return allowed;
}

Result<void> StaffAccounts::log(std::string_view actor, std::string_view action,
                                std::string_view detail) {
  return record_audit(store_, {std::string(actor), std::string(action), 0, std::string(detail)},
                      store::day_of(clock_()));
}

Result<crypto::SecretBytes> StaffAccounts::totp_secret_of(std::string_view name) {
  Bytes box;
  SAFEHOUSE_TRY_VOID(store_.read([&](store::SqlSession& db) -> Result<void> {
    const auto reviewer = SAFEHOUSE_TRY(active_reviewer(db, name));
    const auto account = SAFEHOUSE_TRY(store::find_account(db, reviewer.reviewer_id));
    if (!account || !account->enrolled()) {
      return Error(ErrorCode::kNotFound, "reviewer " + std::string(name) + " is not enrolled");
    }
    box = account->totp_box;
    return {};
  }));
  return unseal(box);
}

}  // namespace safehouse::review
