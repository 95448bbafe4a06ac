// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/fuzz/tlog_tile_fuzz.cpp: tile paths, hash tiles, entry bundles,
// case-event entries, openings and proofs on arbitrary bytes. Canonical
// forms must round-trip; a random proof must never verify against a root
// it was not made for.
#include <cstdlib>
#include <string_view>
#include <vector>

#include "tlog/case_entry.h"
#include "tlog/merkle.h"
#include "tlog/tile.h"

using namespace safehouse::tlog;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const safehouse::ByteSpan bytes(data, size);

  auto path = parse_tile_path(text);
  if (path && tile_path(*path) != text) std::abort();

  if (size > 0) {
    const unsigned width = 1 + data[0];
    auto bundle = parse_entry_bundle(bytes.subspan(1), width > 256 ? 256 : width);
    if (bundle) {
      safehouse::Bytes again;
      for (const auto& e : *bundle) (void)append_to_bundle(again, e);
      if (!std::equal(again.begin(), again.end(), bytes.begin() + 1, bytes.end())) std::abort();
    }
    (void)parse_hash_tile(bytes.subspan(1), width > 256 ? 256 : width);
  }

  auto event = parse_case_event(bytes);
  if (event) {
    auto encoded = encode_case_event(*event);
    if (!encoded || !std::equal(encoded->begin(), encoded->end(), bytes.begin(), bytes.end())) {
      std::abort();
    }
  }
  unsigned version = 0;
  auto opening = parse_opening(text, &version);
  if (opening && encode_opening(*opening, version).value() != text) std::abort();

  // Proofs: sizes from the first 16 bytes, hashes from the rest. The root
  // is the hash of a fixed string no proof made here can reach.
  if (size >= 16) {
    std::uint64_t a = 0, b = 0;
    for (int i = 0; i < 8; ++i) a = (a << 8) | data[i];
    for (int i = 8; i < 16; ++i) b = (b << 8) | data[i];
    std::vector<Hash> proof((size - 16) / 32);
    for (std::size_t i = 0; i < proof.size(); ++i) {
      std::copy_n(data + 16 + 32 * i, 32, proof[i].begin());
    }
    static const Hash root = leaf_hash(safehouse::Bytes{'r', 'o', 'o', 't'});
    static const Hash other = leaf_hash(safehouse::Bytes{'o', 't', 'h', 'e', 'r'});
    if (verify_inclusion(a, b, other, proof, root)) std::abort();
    if (a != b && verify_consistency(a, b, proof, other, root)) std::abort();
  }
  return 0;
}
