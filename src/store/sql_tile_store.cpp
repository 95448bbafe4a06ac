// SPDX-License-Identifier: AGPL-3.0-or-later
// store/sql_tile_store.cpp: log_tiles rows through sql.h, the same SQL for
// both engines.
#include "store/sql_tile_store.h"

#include <string>

namespace safehouse::store {
namespace {

Result<void> check_path(std::string_view path) {
  if (!tlog::is_log_path(path)) {
    return invalid_argument("log store: '" + std::string(path) + "' is not a log path");
  }
  return {};
}

}  // namespace

Result<Bytes> SqlTileStore::read(std::string_view path) {
  SAFEHOUSE_TRY_VOID(check_path(path));
  auto row = SAFEHOUSE_TRY(db_->query_one("SELECT data FROM log_tiles WHERE path = ?", {path}));
  if (!row) return Error(ErrorCode::kNotFound, "log store: no " + std::string(path));
  ByteSpan data = row->blob(0);
  return Bytes(data.begin(), data.end());
}

Result<void> SqlTileStore::write(std::string_view path, ByteSpan data) {
  SAFEHOUSE_TRY_VOID(check_path(path));
  return db_->exec(
      "INSERT INTO log_tiles (path, data) VALUES (?, ?) "
      "ON CONFLICT (path) DO UPDATE SET data = excluded.data",
      {path, data});
}

Result<void> SqlTileStore::remove(std::string_view path) {
  SAFEHOUSE_TRY_VOID(check_path(path));
  return db_->exec("DELETE FROM log_tiles WHERE path = ?", {path});
}

}  // namespace safehouse::store
