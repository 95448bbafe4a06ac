// SPDX-License-Identifier: AGPL-3.0-or-later
// store/open_store.cpp: engine selection (store/open_store.h).
#include "store/open_store.h"

#include <optional>

#include "store/pg_blob_store.h"
#include "store/postgres_store.h"
#include "store/sqlite_store.h"

namespace safehouse::store {

Result<std::unique_ptr<Store>> open_store(const std::filesystem::path& dir,
                                          const std::string& database, const std::string& blobs,
                                          FileSystem& fs) {
  const bool in_database = blobs == kPostgresBlobs || (blobs.empty() && !database.empty());
  std::optional<BlobEngine> file_engine;
  if (!in_database && !blobs.empty()) file_engine = SAFEHOUSE_TRY(parse_blob_engine(blobs));
  if (database.empty()) {
    if (in_database)
      return invalid_argument("blobs: \"postgresql\" needs a postgresql:// database");
    SqliteOptions options;
    if (file_engine) options.blob_engine = *file_engine;
    return open_sqlite(dir, fs, options);
  }
  if (!is_postgres_url(database)) {
    return invalid_argument("database: must be empty (SQLite) or a postgresql:// URL");
  }
  SAFEHOUSE_TRY_VOID(fs.create_directories(dir));
  std::unique_ptr<BlobStore> blob_store;
  if (in_database) {
    blob_store = SAFEHOUSE_TRY(open_pg_blob_store(database));
  } else {
    blob_store = SAFEHOUSE_TRY(open_blob_store(dir, fs, *file_engine));
  }
  return open_postgres(database, std::move(blob_store));
}

}  // namespace safehouse::store
