// SPDX-License-Identifier: AGPL-3.0-or-later
// bench/codename_bench.cpp: what one codename sign-in costs the server
// (Argon2id + HKDF + key pairs), and parsing a typed codename. Measures only;
// asserts nothing about time.
#include <benchmark/benchmark.h>

#include "codename/codename.h"
#include "codename/source_keys.h"
#include "crypto/sodium_init.h"

namespace {

using safehouse::codename::Codename;
using safehouse::codename::Language;

void BM_DeriveSourceKeys(benchmark::State& state) {
  const Codename codename = Codename::generate();
  for (auto _ : state) {
    auto keys = safehouse::codename::derive_source_keys(codename);
    benchmark::DoNotOptimize(keys.source_id);
  }
}
BENCHMARK(BM_DeriveSourceKeys)->Unit(benchmark::kMillisecond);

void BM_ParsePersian(benchmark::State& state) {
  const std::string typed = Codename::generate().render(Language::kPersian);
  for (auto _ : state) {
    auto parsed = Codename::parse(typed);
    benchmark::DoNotOptimize(parsed);
  }
}
BENCHMARK(BM_ParsePersian)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  safehouse::crypto::init_sodium();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
