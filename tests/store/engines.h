// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/store/engines.h: runs a store test against every engine. For
// PostgreSQL each test gets a fresh database on the cluster named by
// SAFEHOUSE_TEST_POSTGRES_URL (scripts/test and scripts/with-postgres start
// one), dropped afterwards. Without that variable the PostgreSQL tests FAIL:
// a missing peer is never a skip.
#ifndef SAFEHOUSE_TESTS_STORE_ENGINES_H_
#define SAFEHOUSE_TESTS_STORE_ENGINES_H_

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <sqlite3.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "store/directory_blob_store.h"
#include "store/pack_blob_store.h"
#include "store/postgres_store.h"
#include "store/sqlite_store.h"
#include "temp_dir.h"

namespace safehouse::store::testing {

enum class Engine { kSqlite, kPostgres };

inline std::string engine_name(const ::testing::TestParamInfo<Engine>& info) {
  return info.param == Engine::kSqlite ? "Sqlite" : "Postgres";
}

// The test cluster's URL, or "" after reporting a failure.
inline std::string test_postgres_url() {
  const char* url = std::getenv("SAFEHOUSE_TEST_POSTGRES_URL");
  if (url == nullptr || *url == '\0') {
    ADD_FAILURE() << "SAFEHOUSE_TEST_POSTGRES_URL is not set: the PostgreSQL engine's tests need "
                     "a server (run scripts/test, or scripts/with-postgres ctest ...)";
    return {};
  }
  return url;
}

// `url` (postgresql://…/db) naming database `name` instead.
inline std::string with_database(const std::string& url, const std::string& name) {
  const auto query = url.find('?');
  const auto slash = url.rfind('/', query);
  return url.substr(0, slash + 1) + name + (query == std::string::npos ? "" : url.substr(query));
}

// Runs `sql` on the PostgreSQL database `url`; the first value of the first
// row, if any.
inline std::string pg_sql(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  std::string first;
  if (PQstatus(conn) != CONNECTION_OK) {
    ADD_FAILURE() << "postgresql: " << PQerrorMessage(conn);
  } else {
    PGresult* result = PQexec(conn, sql.c_str());
    const auto status = PQresultStatus(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      ADD_FAILURE() << sql << ": " << PQresultErrorMessage(result);
    } else if (PQntuples(result) > 0 && !PQgetisnull(result, 0, 0)) {
      first = PQgetvalue(result, 0, 0);
    }
    PQclear(result);
  }
  PQfinish(conn);
  return first;
}

// Runs `sql` on DIR's SQLite database; the first value, if any.
inline std::string sqlite_sql(const std::filesystem::path& dir, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string first;
  EXPECT_EQ(sqlite3_open((dir / kSqliteFileName).c_str(), &db), SQLITE_OK);
  auto callback = [](void* out, int, char** values, char**) {
    auto* text = static_cast<std::string*>(out);
    if (text->empty() && values[0] != nullptr) *text = values[0];
    return 0;
  };
  char* error = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), callback, &first, &error);
  EXPECT_EQ(rc, SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
  return first;
}

// One engine's database for one test: a temporary data directory (blobs,
// and SQLite's file) and, for PostgreSQL, a fresh database.
class EngineDatabase {
 public:
  explicit EngineDatabase(Engine engine) : engine_(engine) {
    if (engine_ != Engine::kPostgres) return;
    admin_url_ = test_postgres_url();
    if (admin_url_.empty()) return;
    unsigned char random[8];
    randombytes_buf(random, sizeof random);
    name_ = "safehouse_test_";
    for (unsigned char c : random)
      name_ += "0123456789abcdef"[c >> 4], name_ += "0123456789abcdef"[c & 15];
    pg_sql(admin_url_, "CREATE DATABASE " + name_);
    url_ = with_database(admin_url_, name_);
  }
  ~EngineDatabase() {
    if (!name_.empty()) pg_sql(admin_url_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  }
  EngineDatabase(const EngineDatabase&) = delete;
  EngineDatabase& operator=(const EngineDatabase&) = delete;

  Engine engine() const { return engine_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  const std::string& url() const { return url_; }

  // Opens the store (again); `fs` serves the blobs (and SQLite's file).
  Result<std::unique_ptr<Store>> open(FileSystem& fs = FileSystem::posix()) const {
    if (engine_ == Engine::kSqlite) return open_sqlite(dir(), fs);
    if (url_.empty()) return Error(ErrorCode::kUnavailable, "no PostgreSQL test cluster");
    auto blobs = SAFEHOUSE_TRY(open_blob_store(dir(), fs, BlobEngine::kDirectory));
    return open_postgres(url_, std::move(blobs));
  }
  std::unique_ptr<Store> open_or_die(FileSystem& fs = FileSystem::posix()) const {
    auto store = open(fs);
    if (!store) ADD_FAILURE() << store.error().message();
    return store ? std::move(*store) : nullptr;
  }
  // Runs SQL on the database directly, outside the store; the first value.
  std::string sql(const std::string& text) const {
    return engine_ == Engine::kSqlite ? sqlite_sql(dir(), text) : pg_sql(url_, text);
  }

 private:
  Engine engine_;
  TempDir dir_;
  std::string admin_url_;
  std::string name_;
  std::string url_;
};

// For tests over a whole installation (`safehouse init`): the engine's
// database, and the installation's data directory inside its temporary
// directory. database() is what `init --database` takes ("" for SQLite).
class EngineInstallation {
 public:
  explicit EngineInstallation(Engine engine) : db_(engine) {}
  Engine engine() const { return db_.engine(); }
  const std::string& database() const { return db_.url(); }
  // Where the installation goes (it does not exist yet).
  std::filesystem::path dir() const { return db_.dir() / "data"; }
  // The temporary directory holding dir(), removed afterwards.
  const std::filesystem::path& root() const { return db_.dir(); }
  // Fails the test (ASSERT_NO_FATAL_FAILURE) when PostgreSQL is wanted and
  // there is no test cluster: never a skip.
  void require() const {
    if (engine() == Engine::kPostgres) ASSERT_FALSE(database().empty());
  }
  // Blobs the installation holds: its file engine's in DIR/blobs (SQLite's
  // default, the pack) or the rows of the database's blobs table.
  std::size_t blob_count() const {
    if (engine() == Engine::kPostgres) {
      return static_cast<std::size_t>(std::stoull(db_.sql("SELECT count(*) FROM blobs")));
    }
    if (!std::filesystem::exists(dir() / "blobs")) return 0;
    auto blobs = PackBlobStore::open(dir(), FileSystem::posix());
    EXPECT_TRUE(blobs) << blobs.error().message();
    return blobs ? (*blobs)->blob_count().value() : 0;
  }
  // Runs SQL on the database directly; the first value.
  std::string sql(const std::string& text) const {
    return engine() == Engine::kSqlite ? sqlite_sql(dir(), text) : db_.sql(text);
  }

 private:
  EngineDatabase db_;
};

}  // namespace safehouse::store::testing

#endif  // SAFEHOUSE_TESTS_STORE_ENGINES_H_
