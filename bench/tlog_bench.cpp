// SPDX-License-Identifier: AGPL-3.0-or-later
// bench/tlog_bench.cpp: the transparency log at 1,000,000 entries.
//   BM_Append1M             appends 1M case-event entries to a DirTileStore
//                           in daily-style batches, syncing and dropping the
//                           superseded partial tiles after each batch; reports
//                           entries/s and bytes on disk (sum of file sizes).
//                           /0 one syncfs per batch (the default), /1 fsync
//                           per file, /2 no sync: what durability costs.
//   BM_Prove*/BM_Verify*    inclusion and consistency proofs at size 1M on
//                           that directory: "cold" reopens the log for every
//                           proof (tiles come from the page cache, not ours),
//                           "warm" keeps one TileLog and its tile cache.
// The directory is $TLOG_BENCH_DIR (default /tmp/safehouse_tlog_bench), removed
// at the end. Run: build/release/bench/tlog_bench (see bench/RESULTS.md).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "crypto/sodium_init.h"
#include "tlog/case_entry.h"
#include "tlog/dir_tile_store.h"
#include "tlog/tile_log.h"

namespace {

using namespace safehouse;
using namespace safehouse::tlog;

constexpr std::uint64_t kEntries = 1'000'000;
constexpr std::uint64_t kBatch = 10'000;  // one "day"

std::filesystem::path bench_dir() {
  const char* dir = std::getenv("TLOG_BENCH_DIR");
  return dir != nullptr ? dir : "/tmp/safehouse_tlog_bench";
}

template <typename T>
T must(Result<T> result) {
  if (!result) {
    std::fprintf(stderr, "tlog_bench: %s\n", result.error().message().c_str());
    std::abort();
  }
  return std::move(*result);
}
void must(Result<void> result) {
  if (!result) {
    std::fprintf(stderr, "tlog_bench: %s\n", result.error().message().c_str());
    std::abort();
  }
}

std::vector<Bytes> make_batch(std::uint64_t first, std::uint64_t count) {
  std::vector<Bytes> batch;
  batch.reserve(count);
  for (std::uint64_t i = first; i < first + count; ++i) {
    const auto opening = make_opening("c-" + std::to_string(i / 4), i % 4, "category");
    const CaseEvent event{opening.case_id, opening.event, "2026-12-04",
                          std::string(case_statuses()[i % case_statuses().size()]),
                          category_commitment(opening.category, opening.nonce)};
    batch.push_back(must(encode_case_event(event)));
  }
  return batch;
}

std::uint64_t disk_usage(const std::filesystem::path& root, std::uint64_t& files) {
  std::uint64_t bytes = 0;
  files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    bytes += entry.file_size();
    ++files;
  }
  return bytes;
}

bool g_built = false;

void BM_Append1M(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove_all(bench_dir());
    auto store = must(DirTileStore::open(
        bench_dir(), DirTileStore::Options{
                         .durability = static_cast<DirTileStore::Durability>(state.range(0))}));
    auto log = must(TileLog::open(store, 0));
    std::uint64_t entry_bytes = 0;
    state.ResumeTiming();
    for (std::uint64_t first = 0; first < kEntries; first += kBatch) {
      state.PauseTiming();
      const auto batch = make_batch(first, kBatch);
      for (const auto& e : batch) entry_bytes += e.size();
      state.ResumeTiming();
      must(log.append(batch));
      must(store.sync());
      if (first > 0) must(log.forget_partials(first));
      must(store.sync());
    }
    state.PauseTiming();
    std::uint64_t files = 0;
    state.counters["bytes_on_disk"] = static_cast<double>(disk_usage(bench_dir(), files));
    state.counters["files"] = static_cast<double>(files);
    state.counters["entry_bytes"] = static_cast<double>(entry_bytes);
    state.counters["entries/s"] =
        benchmark::Counter(static_cast<double>(kEntries), benchmark::Counter::kIsRate);
    g_built = true;
    static const char* const kLabels[] = {"syncfs per batch", "fsync per file", "no sync"};
    state.SetLabel(kLabels[state.range(0)]);
    state.ResumeTiming();
  }
}
BENCHMARK(BM_Append1M)
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

// The log BM_Append1M wrote, reopened.
struct Opened {
  DirTileStore store = must(DirTileStore::open(bench_dir()));
  TileLog log = must(TileLog::open(store, kEntries));
};

void BM_ProveInclusion(benchmark::State& state) {
  const bool warm = state.range(0) == 1;
  Opened opened;
  std::mt19937_64 random(1);
  for (auto _ : state) {
    const std::uint64_t index = random() % kEntries;
    if (warm) {
      benchmark::DoNotOptimize(must(opened.log.prove_inclusion(index, kEntries)));
    } else {
      auto log = must(TileLog::open(opened.store, kEntries));
      benchmark::DoNotOptimize(must(log.prove_inclusion(index, kEntries)));
    }
  }
  state.SetLabel(warm ? "warm" : "cold");
}
BENCHMARK(BM_ProveInclusion)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

void BM_VerifyInclusion(benchmark::State& state) {
  Opened opened;
  const Hash root = must(opened.log.root());
  std::mt19937_64 random(2);
  struct Case {
    std::uint64_t index;
    Hash leaf;
    std::vector<Hash> proof;
  };
  std::vector<Case> cases;
  for (int i = 0; i < 256; ++i) {
    const std::uint64_t index = random() % kEntries;
    cases.push_back(
        {index, must(opened.log.leaf(index)), must(opened.log.prove_inclusion(index, kEntries))});
  }
  std::size_t at = 0;
  for (auto _ : state) {
    const Case& c = cases[at++ % cases.size()];
    must(verify_inclusion(c.index, kEntries, c.leaf, c.proof, root));
  }
}
BENCHMARK(BM_VerifyInclusion)->Unit(benchmark::kMicrosecond);

void BM_ProveConsistency(benchmark::State& state) {
  const bool warm = state.range(0) == 1;
  Opened opened;
  std::mt19937_64 random(3);
  for (auto _ : state) {
    const std::uint64_t size1 = 1 + random() % (kEntries - 1);
    if (warm) {
      benchmark::DoNotOptimize(must(opened.log.prove_consistency(size1, kEntries)));
    } else {
      auto log = must(TileLog::open(opened.store, kEntries));
      benchmark::DoNotOptimize(must(log.prove_consistency(size1, kEntries)));
    }
  }
  state.SetLabel(warm ? "warm" : "cold");
}
BENCHMARK(BM_ProveConsistency)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

void BM_VerifyConsistency(benchmark::State& state) {
  Opened opened;
  const Hash root = must(opened.log.root());
  std::mt19937_64 random(4);
  struct Case {
    std::uint64_t size1;
    Hash root1;
    std::vector<Hash> proof;
  };
  std::vector<Case> cases;
  for (int i = 0; i < 64; ++i) {
    const std::uint64_t size1 = 1 + random() % (kEntries - 1);
    cases.push_back({size1, must(opened.log.root_at(size1)),
                     must(opened.log.prove_consistency(size1, kEntries))});
  }
  std::size_t at = 0;
  for (auto _ : state) {
    const Case& c = cases[at++ % cases.size()];
    must(verify_consistency(c.size1, kEntries, c.proof, c.root1, root));
  }
}
BENCHMARK(BM_VerifyConsistency)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  safehouse::crypto::init_sodium();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (g_built) std::filesystem::remove_all(bench_dir());
  return 0;
}
