// SPDX-License-Identifier: AGPL-3.0-or-later
// store/sqlite_db.cpp: connections, cached statements and error mapping.
#include "store/sqlite_db.h"

#include <string>

namespace safehouse::store::detail {

Error sqlite_error(sqlite3* db, int rc, std::string_view where) {
  // SQLite's messages name tables and constraints, never bound values.
  std::string message(where);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) return Error(ErrorCode::kNotFound, message);
      return Error(ErrorCode::kConflict, message);
    case SQLITE_FULL:
      return Error(ErrorCode::kUnavailable, message);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Error(ErrorCode::kUnavailable, message);
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
      return io_error(message);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Error(ErrorCode::kIntegrity, message);
    default:
      return Error(ErrorCode::kInternal, message);
  }
}

Statement::~Statement() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::bind(int index, ByteSpan value) {
  // A zero-length blob must still be a blob, not NULL.
  static const std::uint8_t kEmpty = 0;
  const void* data = value.empty() ? &kEmpty : value.data();
  sqlite3_bind_blob64(stmt_, index, data, value.size(), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlite_error(sqlite3_db_handle(stmt_), sqlite3_extended_errcode(sqlite3_db_handle(stmt_)),
                      "sqlite");
}

Result<void> Statement::run() {
  bool row = SAFEHOUSE_TRY(step());
  if (row) return Error(ErrorCode::kInternal, "sqlite: statement returned a row");
  return {};
}

std::int64_t Statement::column_int(int index) const {
  return sqlite3_column_int64(stmt_, index);
}

ByteSpan Statement::column_blob(int index) const {
  const void* data = sqlite3_column_blob(stmt_, index);
  int size = sqlite3_column_bytes(stmt_, index);
  if (data == nullptr) return {};
  return {static_cast<const std::uint8_t*>(data), static_cast<std::size_t>(size)};
}

std::string_view Statement::column_text(int index) const {
  const unsigned char* data = sqlite3_column_text(stmt_, index);
  int size = sqlite3_column_bytes(stmt_, index);
  if (data == nullptr) return {};
  return {reinterpret_cast<const char*>(data), static_cast<std::size_t>(size)};
}

bool Statement::column_is_null(int index) const {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

SqlRow Statement::row() const {
  SqlRow row;
  const int columns = sqlite3_column_count(stmt_);
  row.values.reserve(static_cast<std::size_t>(columns));
  for (int i = 0; i < columns; ++i) {
    switch (sqlite3_column_type(stmt_, i)) {
      case SQLITE_INTEGER:
        row.values.emplace_back(column_int(i));
        break;
      case SQLITE_TEXT:
        row.values.emplace_back(std::string(column_text(i)));
        break;
      case SQLITE_BLOB: {
        ByteSpan bytes = column_blob(i);
        row.values.emplace_back(Bytes(bytes.begin(), bytes.end()));
        break;
      }
      case SQLITE_NULL:
        row.values.emplace_back(std::monostate());
        break;
      default:  // REAL: no column of the schema holds one
        row.values.emplace_back(column_int(i));
        break;
    }
  }
  return row;
}

Result<std::unique_ptr<Connection>> Connection::open(const std::filesystem::path& path,
                                                     const char* vfs_name,
                                                     std::chrono::milliseconds busy_timeout,
                                                     bool read_only) {
  sqlite3* db = nullptr;
  // NOMUTEX: each connection is used by one thread at a time (the writer,
  // or a reader holding it from the pool).
  int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
              SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, vfs_name);
  std::unique_ptr<Connection> connection(new Connection(db));
  if (rc != SQLITE_OK) return sqlite_error(db, rc, "sqlite: open");
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, static_cast<int>(busy_timeout.count()));
  // secure_delete: purged rows are overwritten, not left in free pages.
  SAFEHOUSE_TRY_VOID(connection->exec(
      "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;"));
  return connection;
}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Result<void> Connection::exec(const char* sql) {
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db_, sqlite3_extended_errcode(db_), "sqlite");
  return {};
}

Result<Statement> Connection::prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return sqlite_error(db_, rc, "sqlite: prepare");
    it = cache_.emplace(std::string(sql), stmt).first;
  }
  return Statement(it->second);
}

}  // namespace safehouse::store::detail
