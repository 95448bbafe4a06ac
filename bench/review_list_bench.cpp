// SPDX-License-Identifier: AGPL-3.0-or-later
// bench/review_list_bench.cpp: `safehouse review list` at 10,000 cases of 3
// items each, SQLite: the whole list in ONE query (review::
// list_case_summaries, review/cases.cpp) against the query-per-case way it
// was done before (list_cases in pages, then get_source and list_items for
// each case: 20,000 more queries), and with a status filter.
#include <benchmark/benchmark.h>
#include <sodium.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>

#include "review/cases.h"
#include "store/sqlite_store.h"

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
        batch.add_item(CaseRef::created_by(c), k == 2 ? Direction::kReviewer : Direction::kSource,
                       InlineBody{Bytes(300, 7)}, kDay);
      }
    }
    if (!store->commit(std::move(batch))) std::abort();
  }
  // Every tenth case in triage.
  for (CaseId id = 10; id <= kCases; id += 10) {
    WriteBatch batch;
    batch.set_case_status(id, CaseStatus::kTriage, kDay);
    if (!store->commit(std::move(batch))) std::abort();
  }
  return store;
}

Store& shared() {
  static std::unique_ptr<Store> store = store_with_cases();
  return *store;
}

void BM_OneQuery(benchmark::State& state, std::optional<CaseStatus> status) {
  Store& store = shared();
  std::size_t rows = 0;
  for (auto _ : state) {
    auto list = review::list_case_summaries(store, status);
    if (!list) state.SkipWithError("list failed");
    rows = list->size();
    benchmark::DoNotOptimize(list);
  }
  state.counters["cases"] = static_cast<double>(rows);
}

// What `review list` did before: pages of cases, then two queries per case.
void BM_QueryPerCase(benchmark::State& state) {
  Store& store = shared();
  std::size_t rows = 0;
  for (auto _ : state) {
    CaseQuery query;
    query.limit = kMaxListLimit;
    rows = 0;
    for (;;) {
      auto cases = store.list_cases(query);
      if (!cases) state.SkipWithError("list failed");
      for (const CaseRecord& c : *cases) {
        benchmark::DoNotOptimize(store.get_source(c.source_id));
        benchmark::DoNotOptimize(store.list_items(c.case_id));
      }
      rows += cases->size();
      if (cases->size() < query.limit) break;
      query.after_case_id = cases->back().case_id;
    }
  }
  state.counters["cases"] = static_cast<double>(rows);
}

BENCHMARK_CAPTURE(BM_OneQuery, all_10000, std::nullopt)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_OneQuery, status_triage, CaseStatus::kTriage)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_QueryPerCase)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
