// SPDX-License-Identifier: AGPL-3.0-or-later
// bench/staff_list_bench.cpp: the reviewers' case list (GET
// /api/staff/cases) at 10,000 cases of 3 items each, SQLite: the page of 100
// the workspace asks for, in ONE statement (store/staff_records.h), filtered
// by status and by grade, against the query-per-case way it was done before
// (list_cases, then get_source and list_items for each case).
#include <benchmark/benchmark.h>
#include <sodium.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>

#include "store/sqlite_store.h"
#include "store/staff_records.h"

namespace {

using namespace safehouse;
using namespace safehouse::store;

constexpr Day kDay = 20261205;
constexpr int kCases = 10000;

std::unique_ptr<Store> store_with_cases() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "safehouse-bench-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) std::abort();
  auto opened = open_sqlite(pattern, FileSystem::posix());
  if (!opened) std::abort();
  std::unique_ptr<Store> store = std::move(*opened);
  for (int done = 0; done < kCases;) {
    WriteBatch batch;
    for (int i = 0; i < 500 && done < kCases; ++i, ++done) {
      SourceId id{};
      randombytes_buf(id.data(), id.size());
      batch.create_source(id, "bench-source", kDay);
      const std::size_t c = batch.create_case(id, kDay);
      for (int k = 0; k < 3; ++k) {
        batch.add_item(CaseRef::created_by(c), Direction::kSource, InlineBody{Bytes(300, 7)}, kDay);
      }
    }
    if (!store->commit(std::move(batch))) std::abort();
  }
  // Every tenth case graded B2 (what an assessment leaves in clear).
  WriteBatch grade;
  grade.run_exclusive("bench", [](SqlSession& db) -> Result<std::int64_t> {
    SAFEHOUSE_TRY_VOID(db.query("UPDATE cases SET grade = 'B2' WHERE case_id % 10 = 0"));
    return 0;
  });
  if (!store->commit(std::move(grade))) std::abort();
  return store;
}

Store& shared() {
  static std::unique_ptr<Store> store = store_with_cases();
  return *store;
}

void BM_OneQuery(benchmark::State& state, CaseSummaryQuery query) {
  Store& store = shared();
  std::size_t rows = 0;
  for (auto _ : state) {
    std::vector<CaseSummary> page;
    if (!store.read([&](SqlSession& db) -> Result<void> {
          page = SAFEHOUSE_TRY(list_case_summaries(db, query));
          return {};
        })) {
      state.SkipWithError("read failed");
    }
    rows = page.size();
    benchmark::DoNotOptimize(page);
  }
  state.counters["cases"] = static_cast<double>(rows);
}

CaseSummaryQuery first_page() {
  CaseSummaryQuery q;
  q.limit = 100;
  return q;
}
CaseSummaryQuery received() {
  CaseSummaryQuery q = first_page();
  q.status = CaseStatus::kReceived;
  q.after_case_id = kCases - 150;  // a page near the end
  return q;
}
CaseSummaryQuery graded() {
  CaseSummaryQuery q = first_page();
  q.grade = "B2";
  return q;
}

// What GET /api/staff/cases did before: one query for the page, then two
// per case.
void BM_QueryPerCase(benchmark::State& state) {
  Store& store = shared();
  for (auto _ : state) {
    CaseQuery query;
    query.limit = 100;
    auto cases = store.list_cases(query);
    if (!cases) state.SkipWithError("list failed");
    for (const CaseRecord& c : *cases) {
      benchmark::DoNotOptimize(store.get_source(c.source_id));
      benchmark::DoNotOptimize(store.list_items(c.case_id));
    }
  }
}

BENCHMARK_CAPTURE(BM_OneQuery, first_page_of_100, first_page())->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_OneQuery, status_received_late_page, received())
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_OneQuery, grade_B2, graded())->Unit(benchmark::kMillisecond);
BENCHMARK(BM_QueryPerCase)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
