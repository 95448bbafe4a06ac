// SPDX-License-Identifier: AGPL-3.0-or-later
// review/cases.cpp: paging through cases, counting items per direction.
#include "review/cases.h"

#include <map>

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

// The duplicate links in force, by case id.
Result<std::map<store::CaseId, store::CaseId>> duplicate_links(store::Store& store) {
  std::map<store::CaseId, store::CaseId> links;
  SAFEHOUSE_TRY_VOID(store.read([&](store::SqlSession& db) -> Result<void> {
    links.clear();
    for (const auto& link : SAFEHOUSE_TRY(store::list_case_links(db))) {
      links[link.case_id] = link.duplicate_of;
    }
    return {};
  }));
  return links;
}

void set_link(CaseSummary& summary, const std::map<store::CaseId, store::CaseId>& links) {
  if (summary.record.status != store::CaseStatus::kDuplicate) return;
  if (auto found = links.find(summary.record.case_id); found != links.end()) {
    summary.duplicate_of = found->second;
  }
}

}  // namespace

Result<std::vector<CaseSummary>> list_case_summaries(store::Store& store,
                                                     std::optional<store::CaseStatus> status) {
  std::vector<CaseSummary> summaries;
  const auto links = SAFEHOUSE_TRY(duplicate_links(store));
  store::CaseQuery query;
  query.status = status;
  query.limit = store::kMaxListLimit;
  for (;;) {
    const auto page = SAFEHOUSE_TRY(store.list_cases(query));
    for (const auto& record : page) {
      summaries.push_back(SAFEHOUSE_TRY(summarize(store, record)));
      set_link(summaries.back(), links);
    }
    if (page.size() < query.limit) return summaries;
    query.after_case_id = page.back().case_id;
  }
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
