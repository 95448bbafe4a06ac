// SPDX-License-Identifier: AGPL-3.0-or-later
// tlog/memory_tile_store.h: a TileStore in a map, for tests and for
// building a log in memory.
#ifndef SAFEHOUSE_TLOG_MEMORY_TILE_STORE_H_
#define SAFEHOUSE_TLOG_MEMORY_TILE_STORE_H_

#include <map>
#include <string>

#include "tlog/tile_store.h"

namespace safehouse::tlog {

class MemoryTileStore final : public TileStore {
 public:
  Result<Bytes> read(std::string_view path) override;
  Result<void> write(std::string_view path, ByteSpan data) override;
  Result<void> remove(std::string_view path) override;
  Result<void> sync() override { return {}; }

  // Everything stored, by path (tests inspect and tamper with it).
  std::map<std::string, Bytes, std::less<>>& files() { return files_; }

 private:
  std::map<std::string, Bytes, std::less<>> files_;
};

}  // namespace safehouse::tlog

#endif  // SAFEHOUSE_TLOG_MEMORY_TILE_STORE_H_
