// SPDX-License-Identifier: AGPL-3.0-or-later
// review/cases.cpp: the case list in one query; one case's summary.
#include "review/cases.h"

#include <algorithm>

#include "store/workflow_records.h"

namespace safehouse::review {
namespace {

Result<CaseSummary> summarize(store::Store& store, const store::CaseRecord& record) {
  CaseSummary summary;
  summary.record = record;
  auto source = store.get_source(record.source_id);
  if (!source) return source.error().with_context("case " + std::to_string(record.case_id));
  summary.alias = source->alias;
  const auto items = SAFEHOUSE_TRY(store.list_items(record.case_id));
  for (const auto& item : items) {
    (item.direction == store::Direction::kSource ? summary.source_items : summary.reviewer_items) +=
        1;
  }
  return summary;
}

}  // namespace

// One query for the whole list (it was one per case for the source and one
// for the items): each case with its source's alias, its item counts per
// direction and, for a duplicate, the link in force (made by its latest
// event). The counts use items_by_case; the link, case_events' key.
constexpr std::string_view kSummaryQuery =
    "SELECT c.case_id, c.source_id, c.status, c.created_day, c.last_event_day, c.item_count, "
    "s.alias, "
    "(SELECT COUNT(*) FROM items i WHERE i.case_id = c.case_id AND i.direction = 'source'), "
    "(SELECT COUNT(*) FROM items i WHERE i.case_id = c.case_id AND i.direction = 'reviewer'), "
    "(SELECT l.duplicate_of FROM case_links l WHERE l.case_id = c.case_id AND l.event_number = "
    "(SELECT MAX(e.event_number) FROM case_events e WHERE e.case_id = c.case_id)) "
    "FROM cases c JOIN sources s ON s.source_id = c.source_id ";

Result<std::vector<CaseSummary>> list_case_summaries(store::Store& store,
                                                     std::optional<store::CaseStatus> status) {
  std::vector<CaseSummary> summaries;
  SAFEHOUSE_TRY_VOID(store.read([&](store::SqlSession& db) -> Result<void> {
    summaries.clear();
    const auto rows = SAFEHOUSE_TRY(
        status ? db.query(std::string(kSummaryQuery) + "WHERE c.status = ? ORDER BY c.case_id",
                          {std::string(store::status_name(*status))})
               : db.query(std::string(kSummaryQuery) + "ORDER BY c.case_id"));
    summaries.reserve(rows.size());
    for (const auto& row : rows) {
      CaseSummary summary;
      summary.record.case_id = row.integer(0);
      const ByteSpan source = row.blob(1);
      if (source.size() != summary.record.source_id.size()) {
        return Error(ErrorCode::kIntegrity, "stored source id has the wrong length");
      }
      std::copy(source.begin(), source.end(), summary.record.source_id.begin());
      auto parsed = store::status_from_name(row.text(2));
      if (!parsed) return Error(ErrorCode::kIntegrity, "stored case status is unknown");
      summary.record.status = *parsed;
      summary.record.created_day = static_cast<store::Day>(row.integer(3));
      summary.record.last_event_day = static_cast<store::Day>(row.integer(4));
      summary.record.item_count = row.integer(5);
      summary.alias = std::string(row.text(6));
      summary.source_items = row.integer(7);
      summary.reviewer_items = row.integer(8);
      if (summary.record.status == store::CaseStatus::kDuplicate && !row.is_null(9)) {
        summary.duplicate_of = row.integer(9);
      }
      summaries.push_back(std::move(summary));
    }
    return {};
  }));
  return summaries;
}

Result<CaseSummary> case_summary(store::Store& store, store::CaseId case_id) {
  const store::CaseRecord record = SAFEHOUSE_TRY(store.get_case(case_id));
  CaseSummary summary = SAFEHOUSE_TRY(summarize(store, record));
  if (record.status == store::CaseStatus::kDuplicate) {
    SAFEHOUSE_TRY_VOID(store.read([&](store::SqlSession& db) -> Result<void> {
      const auto link = SAFEHOUSE_TRY(store::find_case_link(db, case_id));
      summary.duplicate_of = link ? link->duplicate_of : 0;
      return {};
    }));
  }
  return summary;
}

Result<std::vector<store::CaseId>> duplicates_of(store::Store& store, store::CaseId case_id) {
  std::vector<store::CaseId> duplicates;
  SAFEHOUSE_TRY_VOID(store.read([&](store::SqlSession& db) -> Result<void> {
    duplicates.clear();
    duplicates = SAFEHOUSE_TRY(store::list_duplicates_of(db, case_id));
    return {};
  }));
  return duplicates;
}

}  // namespace safehouse::review
