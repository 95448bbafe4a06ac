// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/published_index.cpp: see published_index.h.
#include "cli/published_index.h"

#include "tlog/tile.h"
#include "tlog/tile_log.h"
#include "tlog/tile_store.h"

namespace safehouse::cli {
namespace {

// The log's tiles through LogStore::read, for TileLog's proofs; never
// written.
class ReadOnlyLogTiles final : public tlog::TileStore {
 public:
  explicit ReadOnlyLogTiles(store::LogStore& log) : log_(log) {}
  Result<Bytes> read(std::string_view path) override { return log_.read(path); }
  Result<void> write(std::string_view, ByteSpan) override { return read_only(); }
  Result<void> remove(std::string_view) override { return read_only(); }
  Result<void> sync() override { return {}; }

 private:
  static Result<void> read_only() {
    return Error(ErrorCode::kInternal, "published files: the log is read-only here");
  }
  store::LogStore& log_;
};

}  // namespace

Result<store::LogHead> PublishedFileIndex::refresh_locked() {
  store::LogHead head = SAFEHOUSE_TRY(log_.head());
  const std::uint64_t size = head.checkpoint.size;
  if (size < scanned_) {
    return Error(ErrorCode::kIntegrity, "published files: the log shrank from " +
                                            std::to_string(scanned_) + " to " +
                                            std::to_string(size) + " entries");
  }
  std::vector<IndexedFile> found;
  for (std::uint64_t start = scanned_ - scanned_ % tlog::kTileWidth; start < size;
       start += tlog::kTileWidth) {
    const tlog::TileId tile = tlog::tile_for(true, 0, start, size);
    const Bytes data = SAFEHOUSE_TRY(log_.read(tlog::tile_path(tile)));
    const auto bundle = SAFEHOUSE_TRY(tlog::parse_entry_bundle(data, tile.width));
    for (std::size_t i = 0; i < bundle.size(); ++i) {
      if (start + i < scanned_) continue;
      auto file = parse_published_file(
          std::string_view(reinterpret_cast<const char*>(bundle[i].data()), bundle[i].size()));
      if (file) found.push_back({start + i, std::move(*file)});
    }
  }
  files_.insert(files_.end(), found.begin(), found.end());
  scanned_ = size;
  return head;
}

Result<std::vector<IndexedFile>> PublishedFileIndex::files() {
  std::lock_guard lock(mu_);
  SAFEHOUSE_TRY_VOID(refresh_locked());
  return files_;
}

Result<std::optional<PublishedFileInclusion>> PublishedFileIndex::find(
    const crypto::Sha256Digest& digest) {
  PublishedFileInclusion out;
  {
    std::lock_guard lock(mu_);
    out.head = SAFEHOUSE_TRY(refresh_locked());
    const IndexedFile* hit = nullptr;
    for (const IndexedFile& file : files_) {
      if (file.file.sha256 == digest) {
        hit = &file;
        break;
      }
    }
    if (hit == nullptr) return std::optional<PublishedFileInclusion>();
    out.file = *hit;
  }
  // The proof in the head just read: its tiles never change (superseded
  // partial tiles are kept), so no lock is needed while reading them.
  const std::uint64_t size = out.head.checkpoint.size;
  ReadOnlyLogTiles tiles(log_);
  auto log = SAFEHOUSE_TRY(tlog::TileLog::open(tiles, size, out.head.checkpoint.root));
  const Bytes entry = SAFEHOUSE_TRY(log.entry(out.file.index));
  const std::string expected = SAFEHOUSE_TRY(format_published_file(out.file.file));
  if (std::string_view(reinterpret_cast<const char*>(entry.data()), entry.size()) != expected) {
    return Error(ErrorCode::kIntegrity,
                 "published files: entry " + std::to_string(out.file.index) + " changed");
  }
  out.leaf = tlog::leaf_hash(entry);
  out.proof = SAFEHOUSE_TRY(log.prove_inclusion(out.file.index, size));
  SAFEHOUSE_TRY_VOID(
      tlog::verify_inclusion(out.file.index, size, out.leaf, out.proof, out.head.checkpoint.root));
  return std::optional<PublishedFileInclusion>(std::move(out));
}

}  // namespace safehouse::cli
