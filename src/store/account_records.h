// SPDX-License-Identifier: AGPL-3.0-or-later
// store/account_records.h: reviewers' staff-listener accounts (schema
// version 7, docs/storage.md, "reviewer_accounts"): the one-time enrolment
// token's hash and last valid day, and once enrolled the verifier of the
// browser's authentication key, the reviewer's identity encrypted in the
// browser under a key the server never sees, the sealed TOTP secret and the
// failed-login count and lock. Engine-neutral SQL (store/sql.h), run on a
// session the caller holds; the rules are in review/accounts.h.
#ifndef SAFEHOUSE_STORE_ACCOUNT_RECORDS_H_
#define SAFEHOUSE_STORE_ACCOUNT_RECORDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/byte_stream.h"
#include "base/error.h"
#include "store/sql.h"
#include "store/types.h"
#include "store/workflow_records.h"

namespace safehouse::store {

// A plain value. Empty byte fields are NULL in the table.
struct AccountRecord {
  std::int64_t reviewer_id = 0;
  Bytes enrol_token_hash;   // SHA-256 of the enrolment token; empty once used
  Day enrol_until_day = 0;  // the token's last valid day
  // True when `reviewer add` kept no private key (no --identity-out): the
  // browser makes the reviewer's keys at enrolment and they replace the
  // registered public keys. False: the browser must import the key file.
  bool keys_replaceable = false;
  Day enrolled_day = 0;  // 0 until enrolled
  Bytes auth_verifier;   // SHA-256 of the authentication key
  Bytes identity_box;    // the browser's XChaCha20-Poly1305 box of the identity
  Bytes totp_box;        // the TOTP secret, sealed with the server's key
  std::int64_t failed_logins = 0;
  bool locked = false;
  bool enrolled() const { return enrolled_day != 0; }
};

// Inserts or replaces the account of `a.reviewer_id` (a new enrolment).
Result<void> put_account(SqlSession& db, const AccountRecord& a);
Result<std::optional<AccountRecord>> find_account(SqlSession& db, std::int64_t reviewer_id);
Result<std::optional<AccountRecord>> find_account_by_token(SqlSession& db, ByteSpan token_hash);
Result<std::vector<AccountRecord>> list_accounts(SqlSession& db);
// Sets failed_logins and locked.
Result<void> set_login_failures(SqlSession& db, std::int64_t reviewer_id, std::int64_t failures,
                                bool locked);
// Replaces a reviewer's public keys (kConflict if another reviewer has them).
Result<void> set_reviewer_keys(SqlSession& db, std::int64_t reviewer_id,
                               const std::string& recipient, const SigningKey& signing_key);

}  // namespace safehouse::store

#endif  // SAFEHOUSE_STORE_ACCOUNT_RECORDS_H_
