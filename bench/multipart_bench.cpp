// SPDX-License-Identifier: AGPL-3.0-or-later
// bench/multipart_bench.cpp: MultipartParser over one 64 MiB file part of
// random bytes, fed in the server's 512 KiB pieces: the cost of finding the
// boundary in a large no-JavaScript upload (bench/RESULTS.md).
#include <benchmark/benchmark.h>
#include <sodium.h>

#include <string>

#include "http/multipart.h"

namespace {

using safehouse::Bytes;
using safehouse::ByteSpan;
using safehouse::Result;
using safehouse::http::MultipartParser;
using safehouse::http::PartHeaders;

constexpr std::size_t kFileBytes = 64 << 20;
constexpr std::size_t kPieceBytes = 512 << 10;
const std::string kBoundary = "----safehouse-bench-0123456789abcdef0123456789abcdef";

Bytes make_body() {
  const std::string head = "--" + kBoundary +
                           "\r\nContent-Disposition: form-data; name=\"files\"; "
                           "filename=\"big.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n";
  const std::string tail = "\r\n--" + kBoundary + "--\r\n";
  Bytes body(head.begin(), head.end());
  const std::size_t start = body.size();
  body.resize(start + kFileBytes);
  randombytes_buf(body.data() + start, kFileBytes);
  body.insert(body.end(), tail.begin(), tail.end());
  return body;
}

void BM_MultipartLargeFilePart(benchmark::State& state) {
  if (sodium_init() < 0) state.SkipWithError("sodium_init failed");
  const Bytes body = make_body();
  for (auto _ : state) {
    std::size_t data_bytes = 0;
    MultipartParser parser(kBoundary,
                           {.on_part_begin = [](const PartHeaders&) -> Result<void> { return {}; },
                            .on_part_data = [&](ByteSpan data) -> Result<void> {
                              data_bytes += data.size();
                              return {};
                            },
                            .on_part_end = []() -> Result<void> { return {}; }});
    for (std::size_t at = 0; at < body.size(); at += kPieceBytes) {
      const std::size_t n = std::min(kPieceBytes, body.size() - at);
      if (!parser.feed(ByteSpan(body.data() + at, n))) state.SkipWithError("feed failed");
    }
    if (!parser.finish() || data_bytes != kFileBytes) state.SkipWithError("wrong part size");
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kFileBytes));
}
BENCHMARK(BM_MultipartLargeFilePart)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
