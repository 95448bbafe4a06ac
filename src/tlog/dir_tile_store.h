// SPDX-License-Identifier: AGPL-3.0-or-later
// tlog/dir_tile_store.h: a TileStore in a directory laid out exactly as the
// tlog-tiles URLs (<root>/checkpoint, <root>/tile/0/000, ...), so any static
// file server can publish it. Writes go to a temporary file that is renamed
// into place: readers never see half a tile.
#ifndef SAFEHOUSE_TLOG_DIR_TILE_STORE_H_
#define SAFEHOUSE_TLOG_DIR_TILE_STORE_H_

#include <filesystem>
#include <set>
#include <string>

#include "tlog/tile_store.h"

namespace safehouse::tlog {

class DirTileStore final : public TileStore {
 public:
  // How sync() makes the writes before it durable.
  enum class Durability {
    // One syncfs(2) of the file system per sync(). Tiles are renamed into
    // place without an fsync of their own: after a crash, a tile written
    // since the last sync() may be empty, but such tiles lie beyond the
    // size of any published checkpoint (the caller syncs before
    // publishing) and the next append from that size rewrites them. The
    // checkpoint, which is replaced in place, is fsynced before its rename.
    // 1M appends in 100 batches: one syncfs per batch instead of 7,831
    // fsyncs (bench/RESULTS.md).
    kFileSystem,
    // fsync every file before its rename, and the directories on sync().
    kEachFile,
    // Never: throwaway logs (test fixtures).
    kNone,
  };
  struct Options {
    Durability durability = Durability::kFileSystem;
  };
  // Creates `root` if missing.
  static Result<DirTileStore> open(const std::filesystem::path& root, Options options);
  static Result<DirTileStore> open(const std::filesystem::path& root) {
    return open(root, Options{});
  }

  Result<Bytes> read(std::string_view path) override;
  Result<void> write(std::string_view path, ByteSpan data) override;
  Result<void> remove(std::string_view path) override;
  Result<void> sync() override;

 private:
  DirTileStore(std::filesystem::path root, Options options)
      : root_(std::move(root)), options_(options) {}
  std::filesystem::path root_;
  Options options_;
  std::set<std::filesystem::path>
      dirty_dirs_;  // kEachFile: directories with renames not yet synced
};

}  // namespace safehouse::tlog

#endif  // SAFEHOUSE_TLOG_DIR_TILE_STORE_H_
