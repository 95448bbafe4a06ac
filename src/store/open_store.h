// SPDX-License-Identifier: AGPL-3.0-or-later
// store/open_store.h: the one place that picks the engine for an
// installation: SQLite in the data directory (the default) or the
// PostgreSQL database named in config.toml, and the blob engine
// (docs/storage.md, "Several servers").
#ifndef SAFEHOUSE_STORE_OPEN_STORE_H_
#define SAFEHOUSE_STORE_OPEN_STORE_H_

#include <filesystem>
#include <memory>
#include <string>

#include "base/error.h"
#include "store/file_system.h"
#include "store/store.h"

namespace safehouse::store {

// The `blobs` value that keeps them in the PostgreSQL database.
inline constexpr const char* kPostgresBlobs = "postgresql";

// `database`: "" for SQLite in `dir`, or a postgresql:// URL. `blobs`: ""
// for the default (PostgreSQL: in the database; SQLite: the file engine's
// default), "postgresql", or a BlobEngine name (a file engine in DIR/blobs).
// Lifetime: `fs` outlives the store.
Result<std::unique_ptr<Store>> open_store(const std::filesystem::path& dir,
                                          const std::string& database, const std::string& blobs,
                                          FileSystem& fs);

}  // namespace safehouse::store

#endif  // SAFEHOUSE_STORE_OPEN_STORE_H_
