// SPDX-License-Identifier: AGPL-3.0-or-later
// store/staff_records.cpp: the workspace's case list and assessments
// (store/staff_records.h).
#include "store/staff_records.h"

#include <algorithm>

namespace safehouse::store {
namespace {

Result<Sha256> stored_sha256(ByteSpan bytes) {
  Sha256 out{};
  if (bytes.size() != out.size()) {
    return Error(ErrorCode::kIntegrity, "store: a sha-256 is not 32 bytes");
  }
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

}  // namespace

Result<std::vector<CaseSummary>> list_case_summaries(SqlSession& db,
                                                     const CaseSummaryQuery& query) {
  if (query.limit == 0 || query.limit > kMaxListLimit) {
    return invalid_argument("list cases: limit must be 1 to 10000");
  }
  // One statement: the page of cases (filters as NULL-or-equal, so one
  // cached statement serves every query), joined with their sources and
  // items; the event number and the number of assessments by correlated
  // subqueries. A case with no items gives one row of NULL item columns.
  auto rows = SAFEHOUSE_TRY(db.query(
      "SELECT c.case_id, c.source_id, c.status, c.created_day, c.last_event_day, c.item_count, "
      "COALESCE(s.alias, ''), c.category, c.grade, "
      "(SELECT COALESCE(MAX(e.event_number), 0) FROM case_events e WHERE e.case_id = c.case_id), "
      "(SELECT COUNT(*) FROM assessments a WHERE a.case_id = c.case_id), "
      "i.item_id, i.direction, i.sha256, i.ciphertext_size, i.day, i.in_blob "
      "FROM (SELECT * FROM cases WHERE case_id > ?1 "
      "AND (CAST(?2 AS TEXT) IS NULL OR status = ?2) "
      "AND (CAST(?3 AS TEXT) IS NULL OR category = ?3) "
      "AND (CAST(?4 AS TEXT) IS NULL OR grade = ?4) "
      "ORDER BY case_id LIMIT ?5) c "
      "LEFT JOIN sources s ON s.source_id = c.source_id "
      "LEFT JOIN items i ON i.case_id = c.case_id "
      "ORDER BY c.case_id, i.item_id",
      {query.after_case_id, query.status ? SqlParam(status_name(*query.status)) : SqlParam(),
       query.category ? SqlParam(*query.category) : SqlParam(),
       query.grade ? SqlParam(*query.grade) : SqlParam(), static_cast<std::int64_t>(query.limit)}));
  std::vector<CaseSummary> out;
  for (const SqlRow& row : rows) {
    const CaseId id = row.integer(0);
    if (out.empty() || out.back().record.case_id != id) {
      CaseSummary summary;
      summary.record.case_id = id;
      const ByteSpan source = row.blob(1);
      if (source.size() != summary.record.source_id.size()) {
        return Error(ErrorCode::kIntegrity, "store: a source id is not 32 bytes");
      }
      std::copy(source.begin(), source.end(), summary.record.source_id.begin());
      auto status = status_from_name(row.text(2));
      if (!status) return Error(ErrorCode::kIntegrity, "stored case status is unknown");
      summary.record.status = *status;
      summary.record.created_day = static_cast<Day>(row.integer(3));
      summary.record.last_event_day = static_cast<Day>(row.integer(4));
      summary.record.item_count = row.integer(5);
      summary.alias = std::string(row.text(6));
      summary.category = std::string(row.text(7));
      summary.grade = std::string(row.text(8));
      summary.event_number = row.integer(9);
      summary.assessments = row.integer(10);
      out.push_back(std::move(summary));
    }
    if (row.is_null(11)) continue;
    ItemRecord item;
    item.item_id = row.integer(11);
    item.case_id = id;
    auto direction = direction_from_name(row.text(12));
    if (!direction) return Error(ErrorCode::kIntegrity, "stored item direction is unknown");
    item.direction = *direction;
    item.sha256 = SAFEHOUSE_TRY(stored_sha256(row.blob(13)));
    item.ciphertext_size = static_cast<std::uint64_t>(row.integer(14));
    item.day = static_cast<Day>(row.integer(15));
    item.location = row.integer(16) != 0 ? BodyLocation::kBlob : BodyLocation::kInline;
    out.back().items.push_back(item);
  }
  return out;
}

Result<std::int64_t> insert_assessment(SqlSession& db, const AssessmentRecord& record) {
  if (record.reliability < 'A' || record.reliability > 'F' || record.credibility < 1 ||
      record.credibility > 6) {
    return invalid_argument("assessment: reliability is A to F, credibility 1 to 6");
  }
  const std::string grade = std::string(1, record.reliability) + std::to_string(record.credibility);
  auto updated = SAFEHOUSE_TRY(db.query_one(
      "UPDATE cases SET grade = ? WHERE case_id = ? RETURNING case_id", {grade, record.case_id}));
  if (!updated) return Error(ErrorCode::kNotFound, "assessment: no such case");
  auto last = SAFEHOUSE_TRY(db.query_one(
      "SELECT COALESCE(MAX(version), 0) FROM assessments WHERE case_id = ?", {record.case_id}));
  const std::int64_t version = (last ? last->integer(0) : 0) + 1;
  SAFEHOUSE_TRY_VOID(db.query(
      "INSERT INTO assessments (case_id, version, reviewer_id, reliability, credibility, day, "
      "sealed) VALUES (?, ?, ?, ?, ?, ?, ?)",
      {record.case_id, version, record.reviewer_id, std::string(1, record.reliability),
       static_cast<std::int64_t>(record.credibility), record.day, ByteSpan(record.sealed)}));
  return version;
}

Result<std::vector<AssessmentRecord>> list_assessments(SqlSession& db, CaseId case_id) {
  auto rows = SAFEHOUSE_TRY(
      db.query("SELECT case_id, version, reviewer_id, reliability, credibility, day, sealed "
               "FROM assessments WHERE case_id = ? ORDER BY version",
               {case_id}));
  std::vector<AssessmentRecord> out;
  for (const SqlRow& row : rows) {
    AssessmentRecord a;
    a.case_id = row.integer(0);
    a.version = row.integer(1);
    a.reviewer_id = row.integer(2);
    const std::string_view reliability = row.text(3);
    a.reliability = reliability.size() == 1 ? reliability[0] : '?';
    a.credibility = static_cast<int>(row.integer(4));
    a.day = static_cast<Day>(row.integer(5));
    const ByteSpan sealed = row.blob(6);
    a.sealed.assign(sealed.begin(), sealed.end());
    out.push_back(std::move(a));
  }
  return out;
}

Result<void> delete_assessments(SqlSession& db, CaseId case_id) {
  SAFEHOUSE_TRY_VOID(db.query("DELETE FROM assessments WHERE case_id = ?", {case_id}));
  SAFEHOUSE_TRY_VOID(db.query("UPDATE cases SET grade = '' WHERE case_id = ?", {case_id}));
  return {};
}

}  // namespace safehouse::store
