// SPDX-License-Identifier: AGPL-3.0-or-later
// review/accounts.h: reviewers' accounts on the staff listener
// (ARCHITECTURE.md §5, docs/reviewing.md "Staff accounts"). The
// administrator's `reviewer add` issues a one-time enrolment token (kept
// only as its SHA-256, valid kEnrolmentDays, single use). At enrolment the
// browser stretches the reviewer's passphrase (Argon2id) into an
// authentication key, which it sends, and an unlocking key, which it never
// sends; it encrypts the reviewer's age identity under the unlocking key
// and chooses a TOTP secret. The server keeps a verifier of the
// authentication key, the identity box as the browser made it, and the TOTP
// secret sealed with a key of its own. Sign-in needs the authentication key
// and a current TOTP code; kMaxLoginFailures wrong ones in a row lock the
// account until `reviewer unlock`, and attempts are throttled. Knows
// nothing of HTTP or sessions.
#ifndef SAFEHOUSE_REVIEW_ACCOUNTS_H_
#define SAFEHOUSE_REVIEW_ACCOUNTS_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "crypto/secret_bytes.h"
#include "store/account_records.h"
#include "store/store.h"
#include "store/workflow_records.h"

namespace safehouse::review {

inline constexpr int kEnrolmentDays = 3;
inline constexpr std::int64_t kMaxLoginFailures = 5;
inline constexpr std::size_t kAuthKeyBytes = 32;
// XChaCha20-Poly1305: 24-byte nonce + "AGE-SECRET-KEY-1…" (74 bytes) + tag.
inline constexpr std::size_t kMinIdentityBoxBytes = 24 + 16 + 1;
inline constexpr std::size_t kMaxIdentityBoxBytes = 512;
// After the n-th failure in a row for one name, the next attempt waits
// min(2^(n-1), kMaxThrottleSeconds) seconds (in memory only).
inline constexpr int kMaxThrottleSeconds = 60;
// Enrolment tokens: 32 random bytes, lower-case hex in the link.
inline constexpr std::size_t kEnrolmentTokenBytes = 32;

// The day `days` after `day` (YYYYMMDD).
store::Day add_days(store::Day day, int days);

struct EnrolmentToken {
  std::string token;  // 64 hex characters; shown once, never stored
  store::Day until_day = 0;
};

// A new enrolment for reviewer `name` (active), replacing any earlier
// account (a new link also for an enrolled reviewer: they enrol again).
// `keys_replaceable`: no private key was handed out, so the browser's new
// keys replace the registered ones. Audited as "enrol-link".
Result<EnrolmentToken> issue_enrolment(store::Store& store, std::string_view name,
                                       bool keys_replaceable, std::string_view actor,
                                       store::Day today);

// Clears the failed-login count and the lock; audited as "unlock".
// kNotFound if `name` has no account.
Result<void> unlock_account(store::Store& store, std::string_view name, std::string_view actor,
                            store::Day today);

// "-" (no account), "pending until YYYY-MM-DD", "link expired", "enrolled",
// "locked" (enrolled, locked after failed sign-ins).
std::string account_state(const store::AccountRecord* account, store::Day today);
// Accounts by reviewer id.
Result<std::map<std::int64_t, store::AccountRecord>> accounts_by_reviewer(store::Store& store);

// What the enrolment page learns from a valid token.
struct EnrolmentInfo {
  std::string name;
  std::string recipient;  // the registered age recipient
  bool keys_replaceable = false;
};

// What the browser hands in to enrol.
struct EnrolmentRequest {
  std::string token;
  Bytes auth_key;      // kAuthKeyBytes
  Bytes identity_box;  // opaque to the server
  std::string recipient;
  store::SigningKey signing_key{};
  Bytes totp_secret;
  std::string totp_code;  // a current code for totp_secret: the app has it
};

struct LoginRequest {
  std::string name;
  Bytes auth_key;
  std::string totp_code;
};

struct LoginResult {
  std::string name;
  std::string recipient;
  Bytes identity_box;
};

// The staff listener's accounts. Thread-safe: the throttle and the last
// accepted TOTP steps are guarded by one mutex; the store does the rest.
class StaffAccounts {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  // `seal_key` (32 bytes) seals TOTP secrets at rest; `clock` gives the
  // time for TOTP codes, the throttle and the day.
  StaffAccounts(store::Store& store, crypto::SecretBytes seal_key,
                Clock clock = &std::chrono::system_clock::now);

  // The reviewer a token enrols; kNoMatch if the token is unknown or used,
  // kConflict if it expired or the reviewer was removed.
  Result<EnrolmentInfo> check_token(std::string_view token);
  // Checks and stores an enrolment; the token is used up. kNoMatch for an
  // unknown or used token, kIntegrity for a wrong TOTP code, kInvalidArgument for malformed
  // fields, kConflict for keys that may not change or belong to another.
  Result<EnrolmentInfo> enrol(const EnrolmentRequest& request);
  // kNoMatch "wrong name, passphrase or code" for any wrong or unknown
  // input (counted against a known account; the kMaxLoginFailures-th
  // locks it), kConflict for a locked account, kQuotaExceeded while
  // throttled (not counted). Audited: "login", "login-refused".
  Result<LoginResult> login(const LoginRequest& request);
  // Whether a session signed in as `name` may go on: the reviewer is still
  // active and the account still enrolled. False once `reviewer remove` ran,
  // or a new enrolment link replaced the account (a lost device), even in
  // another process: sessions are checked on every request, not told.
  Result<bool> may_stay_signed_in(std::string_view name);
  // Appends a reviewer action to the audit log ("logout", "export", …).
  Result<void> log(std::string_view actor, std::string_view action, std::string_view detail = {});

  // The TOTP secret of `name`'s account, unsealed (tests, recovery).
  Result<crypto::SecretBytes> totp_secret_of(std::string_view name);

 private:
  struct Throttle {
    int failures = 0;
    std::chrono::system_clock::time_point next_allowed{};
  };
  Result<void> check_throttle(const std::string& name, std::chrono::system_clock::time_point now);
  void note_attempt(const std::string& name, bool ok, std::chrono::system_clock::time_point now);
  Bytes seal(ByteSpan secret) const;
  Result<crypto::SecretBytes> unseal(ByteSpan box) const;

  store::Store& store_;
  crypto::SecretBytes seal_key_;
  Clock clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, Throttle> throttle_;        // guarded by mutex_
  std::unordered_map<std::int64_t, std::int64_t> last_step_;  // guarded by mutex_
};

// SHA-256 over "safehouse/staff/auth/v1\n" and the authentication key: what
// the server stores and compares.
store::Sha256 auth_verifier(ByteSpan auth_key);

}  // namespace safehouse::review

#endif  // SAFEHOUSE_REVIEW_ACCOUNTS_H_
