// SPDX-License-Identifier: AGPL-3.0-or-later
// store/sqlite_store.h: the embedded engine. One database file in the data
// directory (WAL, synchronous=FULL); one writer thread merges concurrent
// batches into one transaction with one fsync (group commit).
// Everything else about SQLite stays in sqlite_store.cpp and sqlite_*.cpp.
#ifndef SAFEHOUSE_STORE_SQLITE_STORE_H_
#define SAFEHOUSE_STORE_SQLITE_STORE_H_

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>

#include "base/error.h"
#include "store/blob_store.h"
#include "store/file_system.h"
#include "store/store.h"

namespace safehouse::store {

// A plain value, copied by open_sqlite().
struct SqliteOptions {
  // Most batches merged into one transaction.
  std::size_t max_batches_per_transaction = 1024;
  // How long a connection waits for another process's lock.
  std::chrono::milliseconds busy_timeout{5000};
  // Reader connections kept open for reuse (more are opened on demand).
  std::size_t reader_pool_size = 4;
  // Where blob bodies go (docs/storage.md, "Blobs").
  BlobEngine blob_engine = BlobEngine::kPack;
};

// The database file inside the data directory.
inline constexpr const char* kSqliteFileName = "safehouse.sqlite3";

// Opens (creating if needed) the store in data directory `dir`:
// DIR/safehouse.sqlite3 (+ -wal, -shm) and DIR/blobs/. Creates or checks the
// schema (kUnsupported for a newer schema version). After each commit it
// sets the modification time of every file it keeps back to the day, so
// that their inode change times are all that commit's (invariant 2). Lifetime: `fs` outlives
// the store. The returned Store is thread-safe (see Store).
Result<std::unique_ptr<Store>> open_sqlite(const std::filesystem::path& dir, FileSystem& fs,
                                           const SqliteOptions& options = {});

}  // namespace safehouse::store

#endif  // SAFEHOUSE_STORE_SQLITE_STORE_H_
