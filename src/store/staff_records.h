// SPDX-License-Identifier: AGPL-3.0-or-later
// store/staff_records.h: engine-neutral SQL for the reviewers' workspace
// (docs/reviewing.md, "The workspace"): the case list with each case's
// items, source alias, category, event number and latest grade in ONE
// statement (no query per case), and assessments — versioned records sealed
// in the browser (age, to the reviewers), of which the server sees only the
// grade (reliability A–F, credibility 1–6) and the category it files and
// filters by. Run inside Store::read / WriteBatch::run_exclusive.
#ifndef SAFEHOUSE_STORE_STAFF_RECORDS_H_
#define SAFEHOUSE_STORE_STAFF_RECORDS_H_

#include <optional>
#include <string>
#include <vector>

#include "store/sql.h"
#include "store/store.h"
#include "store/types.h"

namespace safehouse::store {

// Which cases list_case_summaries returns, in ascending case_id order.
struct CaseSummaryQuery {
  std::optional<CaseStatus> status;
  std::optional<std::string> category;  // "" selects cases not yet filed
  // "B2": the latest assessment's grade; "" selects cases never assessed.
  std::optional<std::string> grade;
  CaseId after_case_id = 0;
  std::size_t limit = 100;  // 1 to kMaxListLimit
};

struct CaseSummary {
  CaseRecord record;
  std::string alias;
  std::string category;
  std::int64_t event_number = 0;  // the current event (approvals sign it)
  std::string grade;              // "" if never assessed, else e.g. "F6"
  std::int64_t assessments = 0;   // versions
  std::vector<ItemRecord> items;  // oldest first
};

Result<std::vector<CaseSummary>> list_case_summaries(SqlSession& db, const CaseSummaryQuery& query);

// One version of a case's assessment.
struct AssessmentRecord {
  CaseId case_id = 0;
  std::int64_t version = 0;  // 1, 2, … per case
  std::int64_t reviewer_id = 0;
  char reliability = 'F';  // 'A'..'F'
  int credibility = 6;     // 1..6
  Day day = 0;
  Bytes sealed;  // an age file: the whole record, encrypted in the browser
};

// Appends `record` as the case's next version (its version field is
// ignored) and returns that version. kNotFound for no such case.
Result<std::int64_t> insert_assessment(SqlSession& db, const AssessmentRecord& record);
// Every version, oldest first.
Result<std::vector<AssessmentRecord>> list_assessments(SqlSession& db, CaseId case_id);
// Removes a case's assessments (purge).
Result<void> delete_assessments(SqlSession& db, CaseId case_id);

}  // namespace safehouse::store

#endif  // SAFEHOUSE_STORE_STAFF_RECORDS_H_
