// SPDX-License-Identifier: AGPL-3.0-or-later
// tlog/tile_store.h: where a log's tiles, entry bundles and checkpoint live.
// Keys are tlog-tiles paths relative to the log's root ("tile/0/x001/234",
// "tile/entries/000.p/17", "checkpoint"), so a store can be served over HTTP
// as it is. Engines: MemoryTileStore (tests), DirTileStore (a directory
// laid out exactly as the URLs). A database engine can come later.
#ifndef SAFEHOUSE_TLOG_TILE_STORE_H_
#define SAFEHOUSE_TLOG_TILE_STORE_H_

#include <string_view>

#include "base/byte_stream.h"
#include "base/error.h"

namespace safehouse::tlog {

// The one path that is not a tile.
inline constexpr std::string_view kCheckpointPath = "checkpoint";

// True for "checkpoint" and canonical tile paths; engines refuse others, so
// a path taken from a URL can never name anything else.
bool is_log_path(std::string_view path);

class TileStore {
 public:
  virtual ~TileStore() = default;
  // The bytes at `path`; kNotFound if absent, kInvalidArgument for a path
  // that is not a log path.
  virtual Result<Bytes> read(std::string_view path) = 0;
  // Stores `data` at `path`, replacing what was there in one step (a reader
  // sees the old bytes or the new, never a mix).
  virtual Result<void> write(std::string_view path, ByteSpan data) = 0;
  // Removes `path`; absent is not an error.
  virtual Result<void> remove(std::string_view path) = 0;
  // Returns once every write so far survives a crash. Callers sync the tiles
  // before they publish a checkpoint naming them.
  virtual Result<void> sync() = 0;
};

}  // namespace safehouse::tlog

#endif  // SAFEHOUSE_TLOG_TILE_STORE_H_
