// SPDX-License-Identifier: AGPL-3.0-or-later
// store/sqlite_store.cpp: the SQLite engine — the SqlSession over one
// SQLite connection and what opening DIR/safehouse.sqlite3 needs (WAL, the
// FileSystem shim). The store itself is sql_store.cpp.
#include "store/sqlite_store.h"

#include <utility>

#include "store/sql_store_impl.h"
#include "store/sqlite_db.h"
#include "store/sqlite_vfs.h"

namespace safehouse::store {
namespace detail {
namespace {

class SqliteSession final : public SqlSession {
 public:
  explicit SqliteSession(std::unique_ptr<Connection> connection)
      : connection_(std::move(connection)) {}

  SqlDialect dialect() const override { return SqlDialect::kSqlite; }

  Result<SqlRows> query(std::string_view sql, const SqlParams& params) override {
    // Only statements with type words need spelling (and a copy).
    auto stmt = SAFEHOUSE_TRY(sql.find('{') == std::string_view::npos
                                  ? connection_->prepare(sql)
                                  : connection_->prepare(translate_sql(sql, SqlDialect::kSqlite)));
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      std::visit(
          [&](const auto& value) {
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
              stmt.bind_null(index);
            } else {
              stmt.bind(index, value);
            }
          },
          params[i].value());
    }
    SqlRows rows;
    for (;;) {
      auto stepped = stmt.step();
      if (!stepped) return stepped.error();
      if (!*stepped) return rows;
      rows.push_back(stmt.row());
    }
  }

  Result<void> exec_script(std::string_view sql) override {
    return connection_->exec(std::string(sql).c_str());
  }
  bool broken() const override { return false; }
  bool last_error_retryable() const override { return false; }

 private:
  std::unique_ptr<Connection> connection_;
};

class SqliteEngine final : public SqlEngine {
 public:
  SqliteEngine(std::filesystem::path db_path, FileSystem& fs, std::unique_ptr<ShimVfs> vfs,
               std::chrono::milliseconds busy_timeout)
      : db_path_(std::move(db_path)), fs_(fs), vfs_(std::move(vfs)), busy_timeout_(busy_timeout) {}

  SqlDialect dialect() const override { return SqlDialect::kSqlite; }

  Result<std::unique_ptr<SqlSession>> connect(bool writer) override {
    auto connection =
        SAFEHOUSE_TRY(Connection::open(db_path_, vfs_->name(), busy_timeout_, !writer));
    return std::unique_ptr<SqlSession>(new SqliteSession(std::move(connection)));
  }
  Result<void> begin(SqlSession& db) override { return db.exec_script("BEGIN IMMEDIATE"); }
  // BEGIN IMMEDIATE took the only write lock of the database already.
  Result<void> lock_exclusive(SqlSession&, std::string_view) override { return {}; }
  bool poison_on_io() const override { return true; }
  std::string describe() const override { return db_path_.string(); }
  // Every file this commit wrote now has its time as ctime and mtime; the
  // files it did not write (the WAL after a checkpoint, the main file)
  // still carry an earlier commit's. Setting all their modification times
  // to the day sets all their ctimes to now: whatever the commit touched,
  // the files date only the latest one (invariant 2).
  void after_commit() override {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::path path = db_path_;
      path += suffix;
      (void)fs_.truncate_times_to_day(path);
    }
  }

 private:
  const std::filesystem::path db_path_;
  FileSystem& fs_;
  // Outlives every connection: the store closes its sessions first.
  const std::unique_ptr<ShimVfs> vfs_;
  const std::chrono::milliseconds busy_timeout_;
};

// WAL is a property of the database file; setting it once persists it.
Result<void> use_wal(const std::filesystem::path& db_path, const ShimVfs& vfs,
                     std::chrono::milliseconds busy_timeout) {
  auto db = SAFEHOUSE_TRY(Connection::open(db_path, vfs.name(), busy_timeout, false));
  auto mode = SAFEHOUSE_TRY(db->prepare("PRAGMA journal_mode=WAL"));
  if (!SAFEHOUSE_TRY(mode.step()) || mode.column_text(0) != "wal") {
    return io_error("sqlite: cannot switch the database to WAL mode");
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<SqlEngine>> sqlite_engine(const std::filesystem::path& dir, FileSystem& fs,
                                                 std::chrono::milliseconds busy_timeout) {
  auto vfs = SAFEHOUSE_TRY(ShimVfs::create(fs));
  std::filesystem::path db_path = dir / kSqliteFileName;
  bool existed = SAFEHOUSE_TRY(fs.exists(db_path));
  SAFEHOUSE_TRY_VOID(use_wal(db_path, *vfs, busy_timeout));
  // A new database file's directory entry must be durable too.
  if (!existed) SAFEHOUSE_TRY_VOID(fs.sync_directory(dir));
  return std::unique_ptr<SqlEngine>(new SqliteEngine(db_path, fs, std::move(vfs), busy_timeout));
}

}  // namespace detail

Result<std::unique_ptr<Store>> open_sqlite(const std::filesystem::path& dir, FileSystem& fs,
                                           const SqliteOptions& options) {
  auto opened = [&]() -> Result<std::unique_ptr<Store>> {
    SAFEHOUSE_TRY_VOID(fs.create_directories(dir));
    auto blobs = SAFEHOUSE_TRY(open_blob_store(dir, fs, options.blob_engine));
    auto engine = SAFEHOUSE_TRY(detail::sqlite_engine(dir, fs, options.busy_timeout));
    detail::SqlStoreOptions store_options;
    store_options.max_batches_per_transaction = options.max_batches_per_transaction;
    store_options.reader_pool_size = options.reader_pool_size;
    store_options.max_retries = 0;
    return detail::SqlStore::open(std::move(engine), std::move(blobs), store_options);
  }();
  if (!opened) return opened.error().with_context("open store " + dir.string());
  return opened;
}

}  // namespace safehouse::store
