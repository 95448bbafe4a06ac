// SPDX-License-Identifier: AGPL-3.0-or-later
// store/sqlite_vfs.h (internal): a SQLite VFS shim over the default one that
// asks a FileSystem before each database write and sync, so fault injection
// (a failed fsync, a full disk) reaches SQLite's own I/O too.
// Only sqlite_store.cpp uses it.
#ifndef SAFEHOUSE_STORE_SQLITE_VFS_H_
#define SAFEHOUSE_STORE_SQLITE_VFS_H_

#include <sqlite3.h>

#include <memory>
#include <string>

#include "base/error.h"
#include "store/file_system.h"

namespace safehouse::store::detail {

// A registered VFS named uniquely per instance; unregistered on destruction.
// Thread safety: immutable once created; SQLite calls it from any thread.
// Lifetime: outlives every connection opened with its name(); `fs` outlives it.
class ShimVfs {
 public:
  static Result<std::unique_ptr<ShimVfs>> create(FileSystem& fs);
  ~ShimVfs();
  ShimVfs(const ShimVfs&) = delete;
  ShimVfs& operator=(const ShimVfs&) = delete;

  const char* name() const { return name_.c_str(); }

 private:
  ShimVfs(FileSystem& fs, sqlite3_vfs* real);
  static int open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags,
                  int* out_flags);

  FileSystem& fs_;
  sqlite3_vfs* real_;
  std::string name_;
  // Standard layout with the sqlite3_vfs first, so open() can find `owner`.
  struct Registration {
    sqlite3_vfs vfs;
    ShimVfs* owner;
  };
  Registration reg_{};
};

}  // namespace safehouse::store::detail

#endif  // SAFEHOUSE_STORE_SQLITE_VFS_H_
