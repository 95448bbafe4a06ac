// SPDX-License-Identifier: AGPL-3.0-or-later
// store/account_records.cpp: engine-neutral SQL for reviewers' accounts
// (store/account_records.h).
#include "store/account_records.h"

namespace safehouse::store {
namespace {

constexpr const char* kAccountColumns =
    "SELECT reviewer_id, enrol_token_hash, enrol_until_day, keys_replaceable, enrolled_day, "
    "auth_verifier, identity_box, totp_box, failed_logins, locked FROM reviewer_accounts ";

Bytes bytes_or_empty(const SqlRow& row, std::size_t i) {
  if (row.is_null(i)) return {};
  ByteSpan b = row.blob(i);
  return Bytes(b.begin(), b.end());
}

AccountRecord account_from_row(const SqlRow& row) {
  AccountRecord a;
  a.reviewer_id = row.integer(0);
  a.enrol_token_hash = bytes_or_empty(row, 1);
  a.enrol_until_day = static_cast<Day>(row.integer(2));
  a.keys_replaceable = row.integer(3) != 0;
  a.enrolled_day = row.is_null(4) ? 0 : static_cast<Day>(row.integer(4));
  a.auth_verifier = bytes_or_empty(row, 5);
  a.identity_box = bytes_or_empty(row, 6);
  a.totp_box = bytes_or_empty(row, 7);
  a.failed_logins = row.integer(8);
  a.locked = row.integer(9) != 0;
  return a;
}

// NULL for an empty field (a NULL blob needs a cast on PostgreSQL).
SqlParam blob_or_null(const Bytes& b) {
  if (b.empty()) return SqlParam();
  return SqlParam(ByteSpan(b));
}

Result<std::optional<AccountRecord>> one_account(SqlSession& db, std::string_view where,
                                                 const SqlParams& params) {
  auto row = SAFEHOUSE_TRY(db.query_one(std::string(kAccountColumns) + std::string(where), params));
  if (!row) return std::optional<AccountRecord>();
  return std::optional<AccountRecord>(account_from_row(*row));
}

}  // namespace

Result<void> put_account(SqlSession& db, const AccountRecord& a) {
  SAFEHOUSE_TRY_VOID(
      db.exec("DELETE FROM reviewer_accounts WHERE reviewer_id = ?", {a.reviewer_id}));
  return db.exec(
      "INSERT INTO reviewer_accounts (reviewer_id, enrol_token_hash, enrol_until_day, "
      "keys_replaceable, enrolled_day, auth_verifier, identity_box, totp_box, failed_logins, "
      "locked) VALUES (?, CAST(? AS {blob}), ?, ?, CAST(? AS {int}), CAST(? AS {blob}), "
      "CAST(? AS {blob}), CAST(? AS {blob}), ?, ?)",
      {a.reviewer_id, blob_or_null(a.enrol_token_hash), a.enrol_until_day,
       a.keys_replaceable ? 1 : 0, a.enrolled_day == 0 ? SqlParam() : SqlParam(a.enrolled_day),
       blob_or_null(a.auth_verifier), blob_or_null(a.identity_box), blob_or_null(a.totp_box),
       a.failed_logins, a.locked ? 1 : 0});
}

Result<std::optional<AccountRecord>> find_account(SqlSession& db, std::int64_t reviewer_id) {
  return one_account(db, "WHERE reviewer_id = ?", {reviewer_id});
}

Result<std::optional<AccountRecord>> find_account_by_token(SqlSession& db, ByteSpan token_hash) {
  return one_account(db, "WHERE enrol_token_hash = ?", {token_hash});
}

Result<std::vector<AccountRecord>> list_accounts(SqlSession& db) {
  auto rows = SAFEHOUSE_TRY(db.query(std::string(kAccountColumns) + "ORDER BY reviewer_id"));
  std::vector<AccountRecord> out;
  for (const SqlRow& row : rows) out.push_back(account_from_row(row));
  return out;
}

Result<void> set_login_failures(SqlSession& db, std::int64_t reviewer_id, std::int64_t failures,
                                bool locked) {
  return db.exec("UPDATE reviewer_accounts SET failed_logins = ?, locked = ? WHERE reviewer_id = ?",
                 {failures, locked ? 1 : 0, reviewer_id});
}

Result<void> set_reviewer_keys(SqlSession& db, std::int64_t reviewer_id,
                               const std::string& recipient, const SigningKey& signing_key) {
  auto updated =
      db.exec("UPDATE reviewers SET recipient = ?, signing_key = ? WHERE reviewer_id = ?",
              {recipient, ByteSpan(signing_key), reviewer_id});
  if (!updated && updated.error().code() == ErrorCode::kConflict) {
    return Error(ErrorCode::kConflict, "enrolment: these keys belong to another reviewer");
  }
  return updated;
}

}  // namespace safehouse::store
