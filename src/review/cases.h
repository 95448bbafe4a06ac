// SPDX-License-Identifier: AGPL-3.0-or-later
// review/cases.h: what a reviewer sees of cases without decrypting
// anything: the server-visible fields (docs/design.md §7) joined with the
// source's alias and item counts per direction. Knows the store only.
#ifndef SAFEHOUSE_REVIEW_CASES_H_
#define SAFEHOUSE_REVIEW_CASES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"

namespace safehouse::review {

struct CaseSummary {
  store::CaseRecord record;
  std::string alias;                // the source's reviewer-facing name
  std::int64_t source_items = 0;    // messages and files from the source
  std::int64_t reviewer_items = 0;  // replies
  // While the case is a duplicate: the case it was linked to (0: none).
  store::CaseId duplicate_of = 0;
};

// Every case (optionally only those with `status`), ascending case id.
Result<std::vector<CaseSummary>> list_case_summaries(store::Store& store,
                                                     std::optional<store::CaseStatus> status = {});

// One case's summary; kNotFound if there is no such case.
Result<CaseSummary> case_summary(store::Store& store, store::CaseId case_id);

// The cases currently linked as duplicates of `case_id`, ascending.
Result<std::vector<store::CaseId>> duplicates_of(store::Store& store, store::CaseId case_id);

}  // namespace safehouse::review

#endif  // SAFEHOUSE_REVIEW_CASES_H_
