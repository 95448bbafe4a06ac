// SPDX-License-Identifier: AGPL-3.0-or-later
// bench/store_bench.cpp: durable commit throughput of the SQLite store —
// first contacts with small inline bodies from concurrent committers (group
// commit), against one committer, and large bodies through blobs.
// Run on the disk the data directory will live on: fsync speed is the point.
// Also: one large blob through each blob engine (the pack engine writes past
// its first 4 MiB around the page cache, the directory engine through it),
// with the process's CPU per GiB, helpers included.
#include <benchmark/benchmark.h>
#include <sodium.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <atomic>
#include <filesystem>
#include <memory>

#include "store/directory_blob_store.h"
#include "store/pack_blob_store.h"
#include "store/sqlite_store.h"

namespace {

using namespace safehouse;
using namespace safehouse::store;

constexpr Day kDay = 20261125;

// One store shared by the benchmark's threads; created by thread 0.
struct Shared {
  std::filesystem::path dir;
  std::unique_ptr<Store> store;
  std::atomic<std::uint64_t> next_source{0};
};
Shared* shared = nullptr;

void set_up() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "safehouse-bench-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) std::abort();
  shared = new Shared;
  shared->dir = pattern;
  auto opened = open_sqlite(shared->dir, FileSystem::posix());
  if (!opened) std::abort();
  shared->store = std::move(*opened);
}

void tear_down() {
  shared->store.reset();
  std::filesystem::remove_all(shared->dir);
  delete shared;
  shared = nullptr;
}

WriteBatch first_contact(std::uint64_t n, std::size_t body_bytes) {
  SourceId id{};
  for (int i = 0; i < 8; ++i)
    id[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(n >> (8 * i));
  WriteBatch batch;
  batch.create_source(id, "bench-source", kDay);
  std::size_t c = batch.create_case(id, kDay);
  Bytes body(body_bytes);
  randombytes_buf(body.data(), body.size());
  batch.add_item(CaseRef::created_by(c), Direction::kSource, InlineBody{std::move(body)}, kDay);
  return batch;
}

// Each iteration: one first contact with a 2 KiB inline body, committed and
// waited for. With more threads, group commit shares the fsyncs.
void BM_CommitFirstContactInline(benchmark::State& state) {
  if (state.thread_index() == 0) set_up();
  for (auto _ : state) {
    auto result = shared->store->commit(first_contact(shared->next_source++, 2048));
    if (!result) state.SkipWithError(result.error().message().c_str());
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    auto stats = shared->store->stats();
    state.counters["batches_per_txn"] =
        static_cast<double>(stats.batches) /
        static_cast<double>(std::max<std::uint64_t>(1, stats.transactions));
    tear_down();
  }
}
BENCHMARK(BM_CommitFirstContactInline)->Threads(1)->Threads(8)->Threads(64)->UseRealTime();

// Each iteration: a 1 MiB blob written and finished, then its item committed.
void BM_CommitBlobItem(benchmark::State& state) {
  set_up();
  auto case_id = shared->store->commit(first_contact(0, 16))->id(1);
  Bytes chunk(64 * 1024);
  randombytes_buf(chunk.data(), chunk.size());
  for (auto _ : state) {
    auto writer = *shared->store->blobs().create_writer();
    for (int i = 0; i < 16; ++i) {
      chunk[0] = static_cast<std::uint8_t>(state.iterations() + i);  // distinct blobs
      (void)writer->write(chunk);
    }
    if (!writer->finish()) state.SkipWithError("blob finish failed");
    WriteBatch batch;
    batch.add_item(CaseRef::existing(case_id), Direction::kSource, writer->result(), kDay);
    if (!shared->store->commit(std::move(batch))) state.SkipWithError("commit failed");
  }
  state.SetBytesProcessed(state.iterations() * 16 * 64 * 1024);
  tear_down();
}
BENCHMARK(BM_CommitBlobItem)->UseRealTime();

double process_cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Each iteration: one 256 MiB blob written in 65,552-byte pieces (an age
// chunk with its tag, as the intake writes) and finished (fdatasync).
// Arg 0: the pack engine; 1: the directory engine.
void BM_WriteLargeBlob(benchmark::State& state) {
  constexpr std::size_t kBlobBytes = 256 << 20;
  constexpr std::size_t kPiece = 65552;
  std::string pattern =
      (std::filesystem::temp_directory_path() / "safehouse-bench-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) std::abort();
  const std::filesystem::path dir = pattern;
  std::unique_ptr<BlobStore> blobs;
  if (state.range(0) == 0) {
    auto opened = PackBlobStore::open(dir, FileSystem::posix());
    if (opened) blobs = std::move(*opened);
  } else {
    auto opened = DirectoryBlobStore::open(dir, FileSystem::posix());
    if (opened) blobs = std::move(*opened);
  }
  if (!blobs) {
    state.SkipWithError("cannot open the blob store");
    return;
  }
  Bytes data(kBlobBytes);
  randombytes_buf(data.data(), data.size());
  double cpu = 0;
  for (auto _ : state) {
    data[0] = static_cast<std::uint8_t>(state.iterations());  // distinct blobs
    const double cpu_before = process_cpu_seconds();
    auto writer = *blobs->create_writer();
    for (std::size_t at = 0; at < data.size(); at += kPiece) {
      if (!writer->write(ByteSpan(data).subspan(at, std::min(kPiece, data.size() - at)))) {
        state.SkipWithError("blob write failed");
      }
    }
    if (!writer->finish()) state.SkipWithError("blob finish failed");
    cpu += process_cpu_seconds() - cpu_before;
    state.PauseTiming();
    (void)blobs->remove(writer->result().sha256);
    state.ResumeTiming();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kBlobBytes));
  state.counters["cpu_s_per_GiB"] =
      cpu / static_cast<double>(state.iterations()) * (1 << 30) / kBlobBytes;
  blobs.reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_WriteLargeBlob)
    ->ArgName("directory_engine")
    ->Arg(0)
    ->Arg(1)
    ->Iterations(6)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) return 1;
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
