// SPDX-License-Identifier: AGPL-3.0-or-later
// store/open_store.cpp: engine selection (store/open_store.h).
#include "store/open_store.h"

#include "store/postgres_store.h"
#include "store/sqlite_store.h"

namespace safehouse::store {

Result<std::unique_ptr<Store>> open_store(const std::filesystem::path& dir,
                                          const std::string& database, FileSystem& fs) {
  if (database.empty()) return open_sqlite(dir, fs);
  if (!is_postgres_url(database)) {
    return invalid_argument("database: must be empty (SQLite) or a postgresql:// URL");
  }
  SAFEHOUSE_TRY_VOID(fs.create_directories(dir));
  auto blobs = SAFEHOUSE_TRY(open_blob_store(dir, fs, BlobEngine::kDirectory));
  return open_postgres(database, std::move(blobs));
}

}  // namespace safehouse::store
