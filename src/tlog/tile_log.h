// SPDX-License-Identifier: AGPL-3.0-or-later
// tlog/tile_log.h: an append-only Merkle log kept as tlog-tiles in a
// TileStore. Appending n entries writes the full tiles they complete and one
// partial tile per level; a root or proof reads O(log size) tiles. The tree
// size is not stored here: the caller opens the log at the size of the last
// checkpoint it published (which it keeps), so a crash between writing tiles
// and publishing a checkpoint loses nothing (open at the old size again).
#ifndef SAFEHOUSE_TLOG_TILE_LOG_H_
#define SAFEHOUSE_TLOG_TILE_LOG_H_

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "base/byte_stream.h"
#include "base/error.h"
#include "tlog/merkle.h"
#include "tlog/tile.h"
#include "tlog/tile_store.h"

namespace safehouse::tlog {

class TileLog {
 public:
  // Opens the log in `store` at `size` entries, reading the partial tiles of
  // that size. With `expected_root` (from a checkpoint), checks that the
  // tiles hash to it: kIntegrity if they do not.
  static Result<TileLog> open(TileStore& store, std::uint64_t size,
                              std::optional<Hash> expected_root = std::nullopt);

  TileLog(TileLog&&) noexcept;
  TileLog& operator=(TileLog&&) noexcept;
  ~TileLog();

  std::uint64_t size() const { return size_; }

  // Appends `entries` in order and writes their tiles. Checks every entry's
  // size first (kTooLarge above 65535 bytes), so a refused batch writes
  // nothing. Does not sync: call store.sync() before publishing a checkpoint.
  Result<void> append(std::span<const Bytes> entries);
  // Removes the partial tiles of an earlier size that the current tiles
  // supersede. Call it once no published checkpoint of `old_size` needs them
  // (tlog-tiles lets logs delete superseded partial tiles).
  Result<void> forget_partials(std::uint64_t old_size);

  // The root of the tree of the first `size` entries (default: all).
  Result<Hash> root();
  Result<Hash> root_at(std::uint64_t size);
  Result<std::vector<Hash>> prove_inclusion(std::uint64_t index, std::uint64_t size);
  Result<std::vector<Hash>> prove_consistency(std::uint64_t size1, std::uint64_t size2);
  // Entry `index` from its bundle.
  Result<Bytes> entry(std::uint64_t index);
  // The hash of leaf `index` (from the level-0 tile).
  Result<Hash> leaf(std::uint64_t index);

 private:
  class Source;
  struct Nodes;  // a tile's hashes at every level inside it
  TileLog(TileStore& store, std::uint64_t size);

  Result<void> push(unsigned level, const Hash& hash, std::uint64_t level_count);
  Result<std::shared_ptr<const Nodes>> nodes(unsigned level, std::uint64_t tile_index);
  Result<Hash> subtree(unsigned merkle_level, std::uint64_t index);
  Result<Bytes> read_tile(const TileId& tile);

  TileStore* store_;
  std::uint64_t size_;
  // The hashes of the rightmost, incomplete tile of each level, and the
  // entries of the incomplete bundle: what the next append extends.
  std::vector<std::vector<Hash>> partial_;
  Bytes partial_bundle_;
  std::uint64_t partial_bundle_count_ = 0;
  // Full tiles read recently, with their inner nodes (bounded).
  std::map<std::pair<unsigned, std::uint64_t>, std::shared_ptr<const Nodes>> cache_;
};

}  // namespace safehouse::tlog

#endif  // SAFEHOUSE_TLOG_TILE_LOG_H_
