// SPDX-License-Identifier: AGPL-3.0-or-later
// review/reviewer_keys.h: a reviewer's keys — the age X25519 identity (to
// decrypt) and the Ed25519 signing key derived from it (to sign approvals,
// ARCHITECTURE.md §5) — their key file, and the approval message they
// sign. One secret: whoever holds the AGE-SECRET-KEY-1 line holds both keys,
// so the file the stock `age` tool reads is all a reviewer needs.
#ifndef SAFEHOUSE_REVIEW_REVIEWER_KEYS_H_
#define SAFEHOUSE_REVIEW_REVIEWER_KEYS_H_

#include <string>
#include <string_view>
#include <vector>

#include "age/x25519.h"
#include "crypto/secret_bytes.h"
#include "review/identities.h"
#include "store/workflow_records.h"

namespace safehouse::review {

// Movable, not copyable; the secrets live in locked memory.
class ReviewerKeys {
 public:
  static ReviewerKeys generate();
  // The signing key is HKDF-SHA-256(ikm = the identity's AGE-SECRET-KEY-1
  // text, salt = "", info = kSigningKeyInfo) used as an Ed25519 seed.
  static ReviewerKeys from_identity(age::X25519Identity identity);

  const age::X25519Identity& identity() const { return identity_; }
  std::string recipient() const { return identity_.recipient().to_string(); }
  const store::SigningKey& signing_key() const { return public_key_; }
  store::Signature sign(ByteSpan message) const;

 private:
  ReviewerKeys(age::X25519Identity identity, crypto::SecretBytes secret,
               const store::SigningKey& public_key)
      : identity_(std::move(identity)), secret_(std::move(secret)), public_key_(public_key) {}

  age::X25519Identity identity_;
  crypto::SecretBytes secret_;  // libsodium's 64-byte Ed25519 secret key
  store::SigningKey public_key_;
};

inline constexpr std::string_view kSigningKeyInfo = "safehouse/reviewer/ed25519/v1";

// The key file: comments naming the reviewer and both public keys, then
// the identity line — readable by `age -i FILE` and `safehouse review … -i`.
crypto::SecretBytes reviewer_key_file(const ReviewerKeys& keys, std::string_view name);

// Every X25519 identity in `file` (plain lines or passphrase-sealed, as
// load_identities), with its derived signing key.
Result<std::vector<ReviewerKeys>> load_reviewer_keys(ByteSpan file,
                                                     const PassphraseSource& passphrase);

// What an approval binds. Signing it for the case's current event number
// makes an old approval (a replay) or one for another case or installation
// fail to verify.
struct ApprovalSubject {
  std::string installation;  // the installation's log verifier key
  store::CaseId case_id = 0;
  std::int64_t event_number = 0;
  store::CaseStatus from = store::CaseStatus::kReceived;
  store::CaseStatus to = store::CaseStatus::kReceived;
};
// "safehouse/approval/v1\ninstallation <key>\ncase <id>\nevent <n>\nfrom
// <status>\nto <status>\n".
std::string approval_message(const ApprovalSubject& subject);
bool verify_approval(const store::SigningKey& key, const ApprovalSubject& subject,
                     const store::Signature& signature);

// Reviewer names: 1 to 64 of a-z A-Z 0-9 . _ - (they appear in the audit
// log and in file names); kInvalidArgument otherwise.
Result<void> check_reviewer_name(std::string_view name);

// Standard base64 of a signing key, for listings and key files.
std::string signing_key_text(const store::SigningKey& key);

}  // namespace safehouse::review

#endif  // SAFEHOUSE_REVIEW_REVIEWER_KEYS_H_
