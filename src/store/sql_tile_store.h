// SPDX-License-Identifier: AGPL-3.0-or-later
// store/sql_tile_store.h: a tlog::TileStore in the store's database (table
// log_tiles: tlog-tiles path → bytes), over one SqlSession. Reads and writes
// join whatever transaction the session has open, so the caller
// (store/log_store.h) makes an append and its checkpoint one transaction;
// sync() has nothing to do (a commit is durable).
#ifndef SAFEHOUSE_STORE_SQL_TILE_STORE_H_
#define SAFEHOUSE_STORE_SQL_TILE_STORE_H_

#include "store/sql.h"
#include "tlog/tile_store.h"

namespace safehouse::store {

// Not thread-safe (its session is not). Lifetime: `db` outlives it.
class SqlTileStore final : public tlog::TileStore {
 public:
  explicit SqlTileStore(SqlSession& db) : db_(&db) {}
  Result<Bytes> read(std::string_view path) override;
  Result<void> write(std::string_view path, ByteSpan data) override;
  Result<void> remove(std::string_view path) override;
  Result<void> sync() override { return {}; }
  SqlSession& session() const { return *db_; }

 private:
  SqlSession* db_;
};

}  // namespace safehouse::store

#endif  // SAFEHOUSE_STORE_SQL_TILE_STORE_H_
