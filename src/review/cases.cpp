// SPDX-License-Identifier: AGPL-3.0-or-later
// review/cases.cpp: paging through cases, counting items per direction.
#include "review/cases.h"

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

Result<std::vector<CaseSummary>> list_case_summaries(store::Store& store,
                                                     std::optional<store::CaseStatus> status) {
  std::vector<CaseSummary> summaries;
  store::CaseQuery query;
  query.status = status;
  query.limit = store::kMaxListLimit;
  for (;;) {
    const auto page = SAFEHOUSE_TRY(store.list_cases(query));
    for (const auto& record : page) summaries.push_back(SAFEHOUSE_TRY(summarize(store, record)));
    if (page.size() < query.limit) return summaries;
    query.after_case_id = page.back().case_id;
  }
}

Result<CaseSummary> case_summary(store::Store& store, store::CaseId case_id) {
  const store::CaseRecord record = SAFEHOUSE_TRY(store.get_case(case_id));
  return summarize(store, record);
}

}  // namespace safehouse::review
