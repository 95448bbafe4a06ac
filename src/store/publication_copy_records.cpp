// SPDX-License-Identifier: AGPL-3.0-or-later
// store/publication_copy_records.cpp: the SQL of publication copies
// (store/publication_copy_records.h).
#include "store/publication_copy_records.h"

#include <algorithm>
#include <string>

namespace safehouse::store {
namespace {

Result<Sha256> digest_of(ByteSpan bytes) {
  Sha256 out{};
  if (bytes.size() != out.size()) {
    return Error(ErrorCode::kIntegrity, "store: a publication copy's digest is not 32 bytes");
  }
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

}  // namespace

Result<std::int64_t> insert_publication_copy(SqlSession& db, const PublicationCopyRecord& copy) {
  // The item must be the case's: a copy filed under another case would
  // show one case's evidence in another.
  auto owner =
      SAFEHOUSE_TRY(db.query_one("SELECT case_id FROM items WHERE item_id = ?", {copy.item_id}));
  if (!owner) {
    return Error(ErrorCode::kNotFound, "item " + std::to_string(copy.item_id) + ": no such item");
  }
  if (owner->integer(0) != copy.case_id) {
    return invalid_argument("item " + std::to_string(copy.item_id) + " is not an item of case " +
                            std::to_string(copy.case_id));
  }
  auto row = SAFEHOUSE_TRY(db.query_one(
      "INSERT INTO publication_copies (case_id, item_id, reviewer_id, sha256, ciphertext_size, "
      "day) VALUES (?, ?, ?, ?, ?, ?) RETURNING copy_id",
      {copy.case_id, copy.item_id, copy.reviewer_id, ByteSpan(copy.body.sha256),
       static_cast<std::int64_t>(copy.body.size), copy.day}));
  if (!row) return Error(ErrorCode::kInternal, "publication copy: no id returned");
  return row->integer(0);
}

Result<std::vector<PublicationCopyRecord>> list_publication_copies(SqlSession& db, CaseId case_id) {
  auto rows = SAFEHOUSE_TRY(
      db.query("SELECT copy_id, case_id, item_id, reviewer_id, sha256, ciphertext_size, day "
               "FROM publication_copies WHERE case_id = ? ORDER BY copy_id",
               {case_id}));
  std::vector<PublicationCopyRecord> out;
  for (const SqlRow& row : rows) {
    PublicationCopyRecord copy;
    copy.copy_id = row.integer(0);
    copy.case_id = row.integer(1);
    copy.item_id = row.integer(2);
    copy.reviewer_id = row.integer(3);
    copy.body.sha256 = SAFEHOUSE_TRY(digest_of(row.blob(4)));
    copy.body.size = static_cast<std::uint64_t>(row.integer(5));
    copy.day = static_cast<Day>(row.integer(6));
    out.push_back(copy);
  }
  return out;
}

Result<std::vector<Sha256>> delete_publication_copies(SqlSession& db, CaseId case_id) {
  auto rows = SAFEHOUSE_TRY(
      db.query("SELECT DISTINCT sha256 FROM publication_copies WHERE case_id = ?", {case_id}));
  SAFEHOUSE_TRY_VOID(db.exec("DELETE FROM publication_copies WHERE case_id = ?", {case_id}));
  std::vector<Sha256> unreferenced;
  for (const SqlRow& row : rows) {
    auto in_item =
        SAFEHOUSE_TRY(db.query_one("SELECT 1 FROM items WHERE sha256 = ? LIMIT 1", {row.blob(0)}));
    auto in_copy = SAFEHOUSE_TRY(
        db.query_one("SELECT 1 FROM publication_copies WHERE sha256 = ? LIMIT 1", {row.blob(0)}));
    if (!in_item && !in_copy) unreferenced.push_back(SAFEHOUSE_TRY(digest_of(row.blob(0))));
  }
  return unreferenced;
}

}  // namespace safehouse::store
