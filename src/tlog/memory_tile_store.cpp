// SPDX-License-Identifier: AGPL-3.0-or-later
// tlog/memory_tile_store.cpp: see memory_tile_store.h; also is_log_path.
#include "tlog/memory_tile_store.h"

#include "tlog/tile.h"

namespace safehouse::tlog {

bool is_log_path(std::string_view path) {
  if (path == kCheckpointPath) return true;
  const auto tile = parse_tile_path(path);
  return tile && tile_path(*tile) == path;
}

namespace {
Result<void> check_path(std::string_view path) {
  if (!is_log_path(path)) return invalid_argument("tile store: not a log path");
  return {};
}
}  // namespace

Result<Bytes> MemoryTileStore::read(std::string_view path) {
  SAFEHOUSE_TRY_VOID(check_path(path));
  const auto it = files_.find(path);
  if (it == files_.end()) {
    return Error(ErrorCode::kNotFound, "tile store: " + std::string(path) + " does not exist");
  }
  return it->second;
}

Result<void> MemoryTileStore::write(std::string_view path, ByteSpan data) {
  SAFEHOUSE_TRY_VOID(check_path(path));
  files_.insert_or_assign(std::string(path), Bytes(data.begin(), data.end()));
  return {};
}

Result<void> MemoryTileStore::remove(std::string_view path) {
  SAFEHOUSE_TRY_VOID(check_path(path));
  const auto it = files_.find(path);
  if (it != files_.end()) files_.erase(it);
  return {};
}

}  // namespace safehouse::tlog
