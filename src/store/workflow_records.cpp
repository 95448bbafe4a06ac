// SPDX-License-Identifier: AGPL-3.0-or-later
// store/workflow_records.cpp: engine-neutral SQL for reviewers, case events,
// approvals and the audit log (store/workflow_records.h).
#include "store/workflow_records.h"

#include <algorithm>

namespace safehouse::store {
namespace {

constexpr const char* kReviewerColumns =
    "SELECT reviewer_id, name, recipient, signing_key, added_day, removed_day FROM reviewers ";
constexpr const char* kApprovalColumns =
    "SELECT case_id, event_number, from_status, to_status, reviewer_id, day, signature "
    "FROM approvals ";
constexpr const char* kAuditColumns =
    "SELECT seq, day, actor, action, case_id, detail, prev_hash, hash FROM audit_log ";

template <std::size_t N>
Result<std::array<std::uint8_t, N>> fixed_bytes(ByteSpan bytes, const char* what) {
  std::array<std::uint8_t, N> out{};
  if (bytes.size() != N) {
    return Error(ErrorCode::kIntegrity,
                 std::string("store: ") + what + " is not " + std::to_string(N) + " bytes");
  }
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

Result<ReviewerRecord> reviewer_from_row(const SqlRow& row) {
  ReviewerRecord r;
  r.reviewer_id = row.integer(0);
  r.name = std::string(row.text(1));
  r.recipient = std::string(row.text(2));
  r.signing_key = SAFEHOUSE_TRY(fixed_bytes<32>(row.blob(3), "a signing key"));
  r.added_day = static_cast<Day>(row.integer(4));
  r.removed_day = row.is_null(5) ? 0 : static_cast<Day>(row.integer(5));
  return r;
}

Result<std::optional<ReviewerRecord>> one_reviewer(SqlSession& db, std::string_view where,
                                                   const SqlParams& params) {
  auto row =
      SAFEHOUSE_TRY(db.query_one(std::string(kReviewerColumns) + std::string(where), params));
  if (!row) return std::optional<ReviewerRecord>();
  return std::optional<ReviewerRecord>(SAFEHOUSE_TRY(reviewer_from_row(*row)));
}

Result<ApprovalRecord> approval_from_row(const SqlRow& row) {
  ApprovalRecord a;
  a.case_id = row.integer(0);
  a.event_number = row.integer(1);
  a.from = SAFEHOUSE_TRY(status_from_name(row.text(2)));
  a.to = SAFEHOUSE_TRY(status_from_name(row.text(3)));
  a.reviewer_id = row.integer(4);
  a.day = static_cast<Day>(row.integer(5));
  a.signature = SAFEHOUSE_TRY(fixed_bytes<64>(row.blob(6), "a signature"));
  return a;
}

// Audit rows are read as they are, even damaged: judging them is the
// verifier's job (review/audit.h), which needs to see the damage. A hash
// of the wrong length reads as zeros and then fails the check.
AuditRecord audit_from_row(const SqlRow& row) {
  AuditRecord e;
  e.seq = row.integer(0);
  e.day = static_cast<Day>(row.integer(1));
  e.actor = std::string(row.text(2));
  e.action = std::string(row.text(3));
  e.case_id = row.integer(4);
  e.detail = std::string(row.text(5));
  if (auto prev = fixed_bytes<32>(row.blob(6), "a hash")) e.prev_hash = *prev;
  if (auto hash = fixed_bytes<32>(row.blob(7), "a hash")) e.hash = *hash;
  return e;
}

}  // namespace

Result<std::int64_t> insert_reviewer(SqlSession& db, const ReviewerRecord& reviewer) {
  auto row = db.query_one(
      "INSERT INTO reviewers (name, recipient, signing_key, added_day) "
      "VALUES (?, ?, ?, ?) RETURNING reviewer_id",
      {reviewer.name, reviewer.recipient, ByteSpan(reviewer.signing_key), reviewer.added_day});
  if (!row && row.error().code() == ErrorCode::kConflict) {
    return Error(ErrorCode::kConflict,
                 "reviewer " + reviewer.name +
                     ": the name or the keys are taken (names of removed reviewers too)");
  }
  if (!row) return row.error();
  if (!*row) return Error(ErrorCode::kInternal, "add reviewer: no id returned");
  return (*row)->integer(0);
}

Result<std::optional<ReviewerRecord>> find_reviewer_by_name(SqlSession& db, std::string_view name) {
  return one_reviewer(db, "WHERE name = ?", {name});
}

Result<std::optional<ReviewerRecord>> find_reviewer_by_key(SqlSession& db, const SigningKey& key) {
  return one_reviewer(db, "WHERE signing_key = ?", {ByteSpan(key)});
}

Result<std::optional<ReviewerRecord>> find_reviewer_by_id(SqlSession& db, std::int64_t id) {
  return one_reviewer(db, "WHERE reviewer_id = ?", {id});
}

Result<std::vector<ReviewerRecord>> list_reviewers(SqlSession& db) {
  auto rows = SAFEHOUSE_TRY(db.query(std::string(kReviewerColumns) + "ORDER BY reviewer_id"));
  std::vector<ReviewerRecord> out;
  for (const SqlRow& row : rows) out.push_back(SAFEHOUSE_TRY(reviewer_from_row(row)));
  return out;
}

Result<void> mark_reviewer_removed(SqlSession& db, std::string_view name, Day day) {
  auto row = SAFEHOUSE_TRY(
      db.query_one("UPDATE reviewers SET removed_day = ? WHERE name = ? AND removed_day IS NULL "
                   "RETURNING reviewer_id",
                   {day, name}));
  if (!row) {
    return Error(ErrorCode::kNotFound,
                 "reviewer " + std::string(name) + ": no such active reviewer");
  }
  return {};
}

Result<std::int64_t> append_case_event(SqlSession& db, CaseId case_id, CaseStatus status, Day day) {
  auto updated = SAFEHOUSE_TRY(db.query_one(
      "UPDATE cases SET status = ?1, last_event_day = "
      "CASE WHEN last_event_day < ?2 THEN ?2 ELSE last_event_day END WHERE case_id = ?3 "
      "RETURNING case_id",
      {status_name(status), day, case_id}));
  if (!updated) return Error(ErrorCode::kNotFound, "set case status: no such case");
  auto last = SAFEHOUSE_TRY(db.query_one(
      "SELECT COALESCE(MAX(event_number), 0) FROM case_events WHERE case_id = ?", {case_id}));
  const std::int64_t number = (last ? last->integer(0) : 0) + 1;
  SAFEHOUSE_TRY_VOID(
      db.exec("INSERT INTO case_events (case_id, event_number, day, status) VALUES (?, ?, ?, ?)",
              {case_id, number, day, status_name(status)}));
  return number;
}

Result<std::vector<CaseEventRecord>> list_case_events(SqlSession& db, CaseId case_id) {
  auto rows = SAFEHOUSE_TRY(
      db.query("SELECT case_id, event_number, day, status FROM case_events WHERE case_id = ? "
               "ORDER BY event_number",
               {case_id}));
  std::vector<CaseEventRecord> out;
  for (const SqlRow& row : rows) {
    out.push_back({row.integer(0), row.integer(1), static_cast<Day>(row.integer(2)),
                   SAFEHOUSE_TRY(status_from_name(row.text(3)))});
  }
  return out;
}

Result<CaseEventRecord> current_case_event(SqlSession& db, CaseId case_id) {
  auto row = SAFEHOUSE_TRY(db.query_one(
      "SELECT c.status, c.last_event_day, (SELECT COALESCE(MAX(e.event_number), 0) FROM "
      "case_events e WHERE e.case_id = c.case_id) FROM cases c WHERE c.case_id = ?",
      {case_id}));
  if (!row)
    return Error(ErrorCode::kNotFound, "case " + std::to_string(case_id) + ": no such case");
  return CaseEventRecord{case_id, row->integer(2), static_cast<Day>(row->integer(1)),
                         SAFEHOUSE_TRY(status_from_name(row->text(0)))};
}

Result<void> insert_case_link(SqlSession& db, const CaseLinkRecord& link) {
  return db.exec(
      "INSERT INTO case_links (case_id, duplicate_of, event_number, day) VALUES (?, ?, ?, ?)",
      {link.case_id, link.duplicate_of, link.event_number, link.day});
}

namespace {

// The links in force: made by the case's latest event (any later move,
// such as reopening, ends a link).
constexpr std::string_view kNewestLinks =
    "SELECT l.case_id, l.duplicate_of, l.event_number, l.day FROM case_links l WHERE "
    "l.event_number = (SELECT MAX(e.event_number) FROM case_events e WHERE e.case_id = "
    "l.case_id) ";

CaseLinkRecord link_of(const SqlRow& row) {
  return {row.integer(0), row.integer(1), row.integer(2), static_cast<Day>(row.integer(3))};
}

}  // namespace

Result<std::optional<CaseLinkRecord>> find_case_link(SqlSession& db, CaseId case_id) {
  auto row =
      SAFEHOUSE_TRY(db.query_one(std::string(kNewestLinks) + "AND l.case_id = ?", {case_id}));
  if (!row) return std::optional<CaseLinkRecord>();
  return std::optional<CaseLinkRecord>(link_of(*row));
}

Result<std::vector<CaseLinkRecord>> list_case_links(SqlSession& db) {
  auto rows = SAFEHOUSE_TRY(db.query(std::string(kNewestLinks) + "ORDER BY l.case_id"));
  std::vector<CaseLinkRecord> out;
  for (const SqlRow& row : rows) out.push_back(link_of(row));
  return out;
}

Result<std::vector<CaseId>> list_duplicates_of(SqlSession& db, CaseId case_id) {
  auto rows = SAFEHOUSE_TRY(
      db.query(std::string(kNewestLinks) + "AND l.duplicate_of = ? ORDER BY l.case_id", {case_id}));
  std::vector<CaseId> out;
  for (const SqlRow& row : rows) out.push_back(row.integer(0));
  return out;
}

Result<void> insert_approval(SqlSession& db, const ApprovalRecord& a) {
  return db.exec(
      "INSERT INTO approvals (case_id, event_number, from_status, to_status, reviewer_id, day, "
      "signature) VALUES (?, ?, ?, ?, ?, ?, ?)",
      {a.case_id, a.event_number, status_name(a.from), status_name(a.to), a.reviewer_id, a.day,
       ByteSpan(a.signature)});
}

Result<std::vector<ApprovalRecord>> list_approvals(SqlSession& db, CaseId case_id,
                                                   std::int64_t event_number, CaseStatus to) {
  auto rows = SAFEHOUSE_TRY(
      db.query(std::string(kApprovalColumns) +
                   "WHERE case_id = ? AND event_number = ? AND to_status = ? ORDER BY approval_id",
               {case_id, event_number, status_name(to)}));
  std::vector<ApprovalRecord> out;
  for (const SqlRow& row : rows) out.push_back(SAFEHOUSE_TRY(approval_from_row(row)));
  return out;
}

Result<std::optional<ApprovalRecord>> last_approval_to(SqlSession& db, CaseId case_id,
                                                       CaseStatus to) {
  auto row = SAFEHOUSE_TRY(db.query_one(
      std::string(kApprovalColumns) +
          "WHERE case_id = ? AND to_status = ? ORDER BY event_number DESC, approval_id DESC "
          "LIMIT 1",
      {case_id, status_name(to)}));
  if (!row) return std::optional<ApprovalRecord>();
  return std::optional<ApprovalRecord>(SAFEHOUSE_TRY(approval_from_row(*row)));
}

Result<void> insert_audit(SqlSession& db, const AuditRecord& e) {
  SAFEHOUSE_TRY_VOID(
      db.exec("INSERT INTO audit_log (seq, day, actor, action, case_id, detail, prev_hash, hash) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
              {e.seq, e.day, e.actor, e.action, e.case_id, e.detail, ByteSpan(e.prev_hash),
               ByteSpan(e.hash)}));
  const std::string head = std::to_string(e.seq) + " " + to_hex(e.hash);
  return db.exec(
      "INSERT INTO settings (key, value) VALUES (?, ?) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      {kAuditHeadSetting, as_bytes(head)});
}

Result<std::optional<AuditRecord>> last_audit(SqlSession& db) {
  auto row = SAFEHOUSE_TRY(db.query_one(std::string(kAuditColumns) + "ORDER BY seq DESC LIMIT 1"));
  if (!row) return std::optional<AuditRecord>();
  return std::optional<AuditRecord>(audit_from_row(*row));
}

Result<std::vector<AuditRecord>> list_audit(SqlSession& db) {
  auto rows = SAFEHOUSE_TRY(db.query(std::string(kAuditColumns) + "ORDER BY seq"));
  std::vector<AuditRecord> out;
  out.reserve(rows.size());
  for (const SqlRow& row : rows) out.push_back(audit_from_row(row));
  return out;
}

Result<std::vector<Sha256>> delete_case_items(SqlSession& db, CaseId case_id) {
  auto rows = SAFEHOUSE_TRY(
      db.query("SELECT DISTINCT sha256 FROM items WHERE case_id = ? AND in_blob = 1", {case_id}));
  SAFEHOUSE_TRY_VOID(db.exec("DELETE FROM items WHERE case_id = ?", {case_id}));
  SAFEHOUSE_TRY_VOID(db.exec("UPDATE cases SET item_count = 0 WHERE case_id = ?", {case_id}));
  std::vector<Sha256> unreferenced;
  for (const SqlRow& row : rows) {
    // Equal ciphertexts share one blob: keep it while another item uses it.
    auto other =
        SAFEHOUSE_TRY(db.query_one("SELECT 1 FROM items WHERE sha256 = ? LIMIT 1", {row.blob(0)}));
    if (!other) unreferenced.push_back(SAFEHOUSE_TRY(fixed_bytes<32>(row.blob(0), "a digest")));
  }
  return unreferenced;
}

}  // namespace safehouse::store
