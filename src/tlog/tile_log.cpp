// SPDX-License-Identifier: AGPL-3.0-or-later
// tlog/tile_log.cpp: see tile_log.h. A tile at level L, index N holds the
// Merkle level-8L hashes N·256 .. N·256+W-1; the hash of any complete
// subtree at Merkle level 8L+j (j < 8) is a node inside one such tile, so
// each tile read is hashed once into all its inner levels (Nodes) and kept
// in a small cache.
#include "tlog/tile_log.h"

namespace safehouse::tlog {

namespace {

constexpr std::size_t kMaxCachedTiles = 4096;  // about 16 MiB of inner nodes

// Number of Merkle level-8L hashes in a tree of `size` leaves.
std::uint64_t level_count(std::uint64_t size, unsigned level) {
  const unsigned shift = kTileHeight * level;
  return shift >= 64 ? 0 : size >> shift;
}

}  // namespace

struct TileLog::Nodes {
  unsigned width = 0;
  // levels[j][i]: the subtree of 2^j tile hashes starting at i·2^j
  // (complete subtrees only).
  std::array<std::vector<Hash>, kTileHeight + 1> levels;

  explicit Nodes(std::vector<Hash> hashes) : width(static_cast<unsigned>(hashes.size())) {
    levels[0] = std::move(hashes);
    for (unsigned j = 1; j <= kTileHeight; ++j) {
      const auto& below = levels[j - 1];
      for (std::size_t i = 0; i + 1 < below.size(); i += 2) {
        levels[j].push_back(node_hash(below[i], below[i + 1]));
      }
    }
  }
};

TileLog::TileLog(TileStore& store, std::uint64_t size) : store_(&store), size_(size) {}
TileLog::TileLog(TileLog&&) noexcept = default;
TileLog& TileLog::operator=(TileLog&&) noexcept = default;
TileLog::~TileLog() = default;

Result<TileLog> TileLog::open(TileStore& store, std::uint64_t size,
                              std::optional<Hash> expected_root) {
  TileLog log(store, size);
  for (unsigned level = 0; level_count(size, level) > 0; ++level) {
    const std::uint64_t count = level_count(size, level);
    log.partial_.emplace_back();
    if (count % kTileWidth == 0) continue;
    const TileId tile = tile_for(false, level, count - 1, size);
    const Bytes data = SAFEHOUSE_TRY(log.read_tile(tile));
    log.partial_.back() = SAFEHOUSE_TRY(parse_hash_tile(data, tile.width));
  }
  if (size % kTileWidth != 0) {
    const TileId bundle = tile_for(true, 0, size - 1, size);
    log.partial_bundle_ = SAFEHOUSE_TRY(log.read_tile(bundle));
    SAFEHOUSE_TRY(parse_entry_bundle(log.partial_bundle_, bundle.width));
    log.partial_bundle_count_ = bundle.width;
  }
  if (expected_root) {
    const Hash root = SAFEHOUSE_TRY(log.root());
    if (root != *expected_root) {
      return Error(ErrorCode::kIntegrity, "tile log: the tiles of size " + std::to_string(size) +
                                              " do not hash to the checkpoint's root");
    }
  }
  return log;
}

Result<Bytes> TileLog::read_tile(const TileId& tile) {
  auto data = store_->read(tile_path(tile));
  if (!data) return data.error().with_context("tile log");
  return std::move(*data);
}

Result<void> TileLog::push(unsigned level, const Hash& hash, std::uint64_t count) {
  if (partial_.size() <= level) partial_.resize(level + 1);
  auto& tile = partial_[level];
  tile.push_back(hash);
  if (tile.size() < kTileWidth) return {};
  const TileId id{false, level, (count - 1) / kTileWidth, kTileWidth};
  SAFEHOUSE_TRY_VOID(store_->write(tile_path(id), encode_hash_tile(tile)));
  auto nodes = std::make_shared<const Nodes>(std::move(tile));
  tile.clear();
  const Hash top = nodes->levels[kTileHeight][0];
  if (cache_.size() >= kMaxCachedTiles) cache_.clear();
  cache_[{level, id.index}] = std::move(nodes);
  return push(level + 1, top, count / kTileWidth);
}

Result<void> TileLog::append(std::span<const Bytes> entries) {
  for (const Bytes& entry : entries) {
    if (entry.size() > kMaxEntrySize) {
      return Error(ErrorCode::kTooLarge, "tile log: an entry of " + std::to_string(entry.size()) +
                                             " bytes is above the 65535 a bundle holds");
    }
  }
  if (entries.empty()) return {};
  const std::uint64_t old_size = size_;
  for (const Bytes& entry : entries) {
    SAFEHOUSE_TRY_VOID(append_to_bundle(partial_bundle_, entry));
    ++size_;
    if (++partial_bundle_count_ == kTileWidth) {
      const TileId id{true, 0, (size_ - 1) / kTileWidth, kTileWidth};
      SAFEHOUSE_TRY_VOID(store_->write(tile_path(id), partial_bundle_));
      partial_bundle_.clear();
      partial_bundle_count_ = 0;
    }
    SAFEHOUSE_TRY_VOID(push(0, leaf_hash(entry), size_));
  }
  // One partial tile per level whose rightmost tile changed.
  for (unsigned level = 0; level < partial_.size(); ++level) {
    const std::uint64_t count = level_count(size_, level);
    if (count % kTileWidth == 0 || count == level_count(old_size, level)) continue;
    const TileId id = tile_for(false, level, count - 1, size_);
    SAFEHOUSE_TRY_VOID(store_->write(tile_path(id), encode_hash_tile(partial_[level])));
  }
  if (partial_bundle_count_ > 0) {
    const TileId id = tile_for(true, 0, size_ - 1, size_);
    SAFEHOUSE_TRY_VOID(store_->write(tile_path(id), partial_bundle_));
  }
  return {};
}

Result<void> TileLog::forget_partials(std::uint64_t old_size) {
  if (old_size >= size_) return {};
  for (unsigned level = 0; level_count(old_size, level) > 0; ++level) {
    const std::uint64_t count = level_count(old_size, level);
    if (count % kTileWidth == 0) continue;
    const TileId old_tile = tile_for(false, level, count - 1, old_size);
    if (old_tile != tile_for(false, level, count - 1, size_)) {
      SAFEHOUSE_TRY_VOID(store_->remove(tile_path(old_tile)));
    }
  }
  if (old_size % kTileWidth != 0) {
    const TileId old_bundle = tile_for(true, 0, old_size - 1, old_size);
    if (old_bundle != tile_for(true, 0, old_size - 1, size_)) {
      SAFEHOUSE_TRY_VOID(store_->remove(tile_path(old_bundle)));
    }
  }
  return {};
}

Result<std::shared_ptr<const TileLog::Nodes>> TileLog::nodes(unsigned level,
                                                             std::uint64_t tile_index) {
  const std::uint64_t count = level_count(size_, level);
  if (tile_index * kTileWidth >= count) {
    return Error(ErrorCode::kInternal, "tile log: tile beyond the tree was asked for");
  }
  const TileId id = tile_for(false, level, tile_index * kTileWidth, size_);
  const auto cached = cache_.find({level, tile_index});
  if (cached != cache_.end() && cached->second->width == id.width) return cached->second;
  std::shared_ptr<const Nodes> nodes;
  if (id.full()) {
    const Bytes data = SAFEHOUSE_TRY(read_tile(id));
    nodes = std::make_shared<const Nodes>(SAFEHOUSE_TRY(parse_hash_tile(data, id.width)));
  } else {
    nodes = std::make_shared<const Nodes>(partial_[level]);  // the rightmost tile, in memory
  }
  if (cache_.size() >= kMaxCachedTiles) cache_.clear();
  cache_[{level, tile_index}] = nodes;
  return nodes;
}

Result<Hash> TileLog::subtree(unsigned merkle_level, std::uint64_t index) {
  const unsigned level = merkle_level / kTileHeight;
  const unsigned inner = merkle_level % kTileHeight;
  const std::uint64_t first = index << inner;  // first level-8L hash below it
  const auto tile = SAFEHOUSE_TRY(nodes(level, first / kTileWidth));
  const std::size_t at = (first % kTileWidth) >> inner;
  if (at >= tile->levels[inner].size()) {
    return Error(ErrorCode::kInternal, "tile log: incomplete subtree was asked for");
  }
  return tile->levels[inner][at];
}

class TileLog::Source final : public SubtreeSource {
 public:
  explicit Source(TileLog& log) : log_(log) {}
  Result<Hash> subtree(unsigned level, std::uint64_t index) override {
    return log_.subtree(level, index);
  }

 private:
  TileLog& log_;
};

Result<Hash> TileLog::root() {
  return root_at(size_);
}

Result<Hash> TileLog::root_at(std::uint64_t size) {
  if (size > size_) {
    return invalid_argument("tile log: size " + std::to_string(size) + " is beyond the log's " +
                            std::to_string(size_));
  }
  Source source(*this);
  return tree_root(size, source);
}

Result<std::vector<Hash>> TileLog::prove_inclusion(std::uint64_t index, std::uint64_t size) {
  if (size > size_) return invalid_argument("tile log: proof for a size beyond the log");
  Source source(*this);
  return tlog::prove_inclusion(index, size, source);
}

Result<std::vector<Hash>> TileLog::prove_consistency(std::uint64_t size1, std::uint64_t size2) {
  if (size2 > size_) return invalid_argument("tile log: proof for a size beyond the log");
  Source source(*this);
  return tlog::prove_consistency(size1, size2, source);
}

Result<Bytes> TileLog::entry(std::uint64_t index) {
  if (index >= size_) return Error(ErrorCode::kNotFound, "tile log: no entry at that index");
  const TileId id = tile_for(true, 0, index, size_);
  auto entries = id.full() ? parse_entry_bundle(SAFEHOUSE_TRY(read_tile(id)), id.width)
                           : parse_entry_bundle(partial_bundle_, id.width);
  if (!entries) return entries.error().with_context("tile log");
  return std::move((*entries)[index % kTileWidth]);
}

Result<Hash> TileLog::leaf(std::uint64_t index) {
  if (index >= size_) return Error(ErrorCode::kNotFound, "tile log: no leaf at that index");
  return subtree(0, index);
}

}  // namespace safehouse::tlog
