// SPDX-License-Identifier: AGPL-3.0-or-later
// store/grant_records.cpp: the SQL of grants (store/grant_records.h).
#include "store/grant_records.h"

#include <algorithm>
#include <string>
#include <variant>

#include "crypto/sha256.h"

namespace safehouse::store {
namespace {

Result<Sha256> digest_of(ByteSpan bytes) {
  Sha256 out{};
  if (bytes.size() != out.size()) {
    return Error(ErrorCode::kIntegrity, "store: a grant's digest is not 32 bytes");
  }
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

Result<GrantedKind> parse_kind(std::string_view text) {
  if (text == "item") return GrantedKind::kItem;
  if (text == "assessment") return GrantedKind::kAssessment;
  if (text == "copy") return GrantedKind::kCopy;
  return Error(ErrorCode::kIntegrity, "store: unknown grant kind '" + std::string(text) + "'");
}

Error changed_meanwhile(const std::string& what) {
  return Error(ErrorCode::kConflict,
               what + " changed while it was being rewrapped (another grant?): run it again");
}

}  // namespace

std::string_view granted_kind_name(GrantedKind kind) {
  switch (kind) {
    case GrantedKind::kItem:
      return "item";
    case GrantedKind::kAssessment:
      return "assessment";
    case GrantedKind::kCopy:
      return "copy";
  }
  return "item";
}

Result<void> replace_item_body(SqlSession& db, ItemId item_id, const Sha256& expected,
                               const ItemBody& body) {
  const std::string what = "item " + std::to_string(item_id);
  auto exists = SAFEHOUSE_TRY(db.query_one("SELECT 1 FROM items WHERE item_id = ?", {item_id}));
  if (!exists) return Error(ErrorCode::kNotFound, what + ": no such item");
  SqlRows rows;
  if (const auto* inline_body = std::get_if<InlineBody>(&body)) {
    const Sha256 digest = crypto::sha256(inline_body->ciphertext);
    rows = SAFEHOUSE_TRY(
        db.query("UPDATE items SET sha256 = ?, ciphertext_size = ?, in_blob = 0, inline_body = ? "
                 "WHERE item_id = ? AND sha256 = ? RETURNING item_id",
                 {ByteSpan(digest), static_cast<std::int64_t>(inline_body->ciphertext.size()),
                  ByteSpan(inline_body->ciphertext), item_id, ByteSpan(expected)}));
  } else {
    const auto& blob = std::get<BlobRef>(body);
    rows = SAFEHOUSE_TRY(db.query(
        "UPDATE items SET sha256 = ?, ciphertext_size = ?, in_blob = 1, inline_body = NULL "
        "WHERE item_id = ? AND sha256 = ? RETURNING item_id",
        {ByteSpan(blob.sha256), static_cast<std::int64_t>(blob.size), item_id,
         ByteSpan(expected)}));
  }
  if (rows.empty()) return changed_meanwhile(what);
  return {};
}

Result<void> replace_assessment_sealed(SqlSession& db, CaseId case_id, std::int64_t version,
                                       const Sha256& expected, ByteSpan sealed) {
  const std::string what =
      "assessment version " + std::to_string(version) + " of case " + std::to_string(case_id);
  auto row = SAFEHOUSE_TRY(db.query_one(
      "SELECT sealed FROM assessments WHERE case_id = ? AND version = ?", {case_id, version}));
  if (!row) return Error(ErrorCode::kNotFound, what + ": no such assessment");
  if (crypto::sha256(row->blob(0)) != expected) return changed_meanwhile(what);
  return db.exec("UPDATE assessments SET sealed = ? WHERE case_id = ? AND version = ?",
                 {sealed, case_id, version});
}

Result<void> replace_publication_copy_body(SqlSession& db, std::int64_t copy_id,
                                           const Sha256& expected, const BlobRef& body) {
  const std::string what = "publication copy " + std::to_string(copy_id);
  auto exists =
      SAFEHOUSE_TRY(db.query_one("SELECT 1 FROM publication_copies WHERE copy_id = ?", {copy_id}));
  if (!exists) return Error(ErrorCode::kNotFound, what + ": no such copy");
  auto rows = SAFEHOUSE_TRY(db.query(
      "UPDATE publication_copies SET sha256 = ?, ciphertext_size = ? "
      "WHERE copy_id = ? AND sha256 = ? RETURNING copy_id",
      {ByteSpan(body.sha256), static_cast<std::int64_t>(body.size), copy_id, ByteSpan(expected)}));
  if (rows.empty()) return changed_meanwhile(what);
  return {};
}

Result<void> insert_grant(SqlSession& db, const GrantRecord& grant) {
  return db.exec(
      "INSERT INTO grants (case_id, kind, object_id, reviewer_id, granted_by, old_sha256, "
      "new_sha256, day) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {grant.case_id, granted_kind_name(grant.kind), grant.object_id, grant.reviewer_id,
       grant.granted_by, ByteSpan(grant.old_sha256), ByteSpan(grant.new_sha256), grant.day});
}

Result<std::vector<GrantRecord>> list_grants(SqlSession& db, CaseId case_id) {
  auto rows = SAFEHOUSE_TRY(
      db.query("SELECT grant_id, case_id, kind, object_id, reviewer_id, granted_by, old_sha256, "
               "new_sha256, day FROM grants WHERE case_id = ? ORDER BY grant_id",
               {case_id}));
  std::vector<GrantRecord> out;
  for (const SqlRow& row : rows) {
    GrantRecord grant;
    grant.grant_id = row.integer(0);
    grant.case_id = row.integer(1);
    grant.kind = SAFEHOUSE_TRY(parse_kind(row.text(2)));
    grant.object_id = row.integer(3);
    grant.reviewer_id = row.integer(4);
    grant.granted_by = row.integer(5);
    grant.old_sha256 = SAFEHOUSE_TRY(digest_of(row.blob(6)));
    grant.new_sha256 = SAFEHOUSE_TRY(digest_of(row.blob(7)));
    grant.day = static_cast<Day>(row.integer(8));
    out.push_back(grant);
  }
  return out;
}

Result<void> delete_grants(SqlSession& db, CaseId case_id) {
  return db.exec("DELETE FROM grants WHERE case_id = ?", {case_id});
}

Result<bool> blob_is_referenced(SqlSession& db, const Sha256& digest) {
  auto in_item = SAFEHOUSE_TRY(db.query_one(
      "SELECT 1 FROM items WHERE sha256 = ? AND in_blob = 1 LIMIT 1", {ByteSpan(digest)}));
  if (in_item) return true;
  auto in_copy = SAFEHOUSE_TRY(db.query_one(
      "SELECT 1 FROM publication_copies WHERE sha256 = ? LIMIT 1", {ByteSpan(digest)}));
  return in_copy.has_value();
}

}  // namespace safehouse::store
