// SPDX-License-Identifier: AGPL-3.0-or-later
// store/sqlite_db.h (internal): thin RAII over the SQLite C API — a
// connection with a cache of prepared statements, a statement lease that
// resets on scope exit, and SQLite result codes turned into Errors.
// Knows SQLite; nothing of the store's schema.
#ifndef SAFEHOUSE_STORE_SQLITE_DB_H_
#define SAFEHOUSE_STORE_SQLITE_DB_H_

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "base/byte_stream.h"
#include "base/error.h"
#include "store/sql.h"

namespace safehouse::store::detail {

// An Error for SQLite result `rc` on `db` (which may be null): constraint →
// kConflict (kNotFound for a foreign key), full → kUnavailable, I/O →
// kIo, corrupt → kIntegrity. `where` prefixes the message.
Error sqlite_error(sqlite3* db, int rc, std::string_view where);

// A prepared statement borrowed from a Connection's cache; reset and
// unbound when the lease ends. Not thread-safe (as its connection).
class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Statement();
  Statement(Statement&& other) noexcept : stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters count from 1, as in SQL.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, ByteSpan value);
  Statement& bind(int index, std::string_view value);
  Statement& bind_null(int index);

  // true: a row is ready; false: done.
  Result<bool> step();
  // Runs to completion, expecting no rows.
  Result<void> run();

  std::int64_t column_int(int index) const;
  ByteSpan column_blob(int index) const;
  std::string_view column_text(int index) const;
  bool column_is_null(int index) const;
  // The current row, every column copied.
  SqlRow row() const;

 private:
  sqlite3_stmt* stmt_;
};

// One SQLite connection. Not thread-safe: one thread uses it at a time.
class Connection {
 public:
  // Opens `path` through VFS `vfs_name` with the pragmas every connection
  // needs (synchronous=FULL, foreign_keys, busy_timeout, secure_delete).
  static Result<std::unique_ptr<Connection>> open(const std::filesystem::path& path,
                                                  const char* vfs_name,
                                                  std::chrono::milliseconds busy_timeout,
                                                  bool read_only);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements without results.
  Result<void> exec(const char* sql);
  // A cached prepared statement for `sql`.
  Result<Statement> prepare(std::string_view sql);
  sqlite3* handle() { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::map<std::string, sqlite3_stmt*, std::less<>> cache_;
};

}  // namespace safehouse::store::detail

#endif  // SAFEHOUSE_STORE_SQLITE_DB_H_
