// SPDX-License-Identifier: AGPL-3.0-or-later
// store/sqlite_schema.cpp: schema version 1 of the SQLite engine, created on
// first open and checked on every later one. The tables are described in
// docs/storage.md; keep the two in step.
#include <string>

#include "store/sqlite_store_impl.h"

namespace safehouse::store::detail {
namespace {

constexpr std::int64_t kSchemaVersion = 1;

// STRICT tables: SQLite enforces the declared column types. Days are
// YYYYMMDD integers; there is deliberately no column for a finer time.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE IF NOT EXISTS settings (
  key   TEXT PRIMARY KEY,
  value BLOB NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS sources (
  source_id   BLOB PRIMARY KEY CHECK (length(source_id) = 32),
  alias       TEXT NOT NULL,
  created_day INTEGER NOT NULL,
  reply_recipient TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE TABLE IF NOT EXISTS cases (
  case_id        INTEGER PRIMARY KEY AUTOINCREMENT,
  source_id      BLOB NOT NULL REFERENCES sources (source_id),
  status         TEXT NOT NULL CHECK (status IN ('received', 'triage', 'verifying',
                   'needs-info', 'corroborated', 'verified', 'duplicate', 'rejected',
                   'suspected-infiltration', 'withdrawn', 'purged')),
  created_day    INTEGER NOT NULL,
  last_event_day INTEGER NOT NULL,
  item_count     INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX IF NOT EXISTS cases_by_source ON cases (source_id, case_id);
CREATE INDEX IF NOT EXISTS cases_by_status ON cases (status, case_id);
CREATE TABLE IF NOT EXISTS items (
  item_id         INTEGER PRIMARY KEY AUTOINCREMENT,
  case_id         INTEGER NOT NULL REFERENCES cases (case_id),
  direction       TEXT NOT NULL CHECK (direction IN ('source', 'reviewer')),
  sha256          BLOB NOT NULL CHECK (length(sha256) = 32),
  ciphertext_size INTEGER NOT NULL CHECK (ciphertext_size > 0),
  day             INTEGER NOT NULL,
  in_blob         INTEGER NOT NULL CHECK (in_blob IN (0, 1)),
  inline_body     BLOB,
  CHECK ((in_blob = 1) = (inline_body IS NULL))
) STRICT;
CREATE INDEX IF NOT EXISTS items_by_case ON items (case_id, item_id);
)sql";

}  // namespace

Result<void> ensure_schema(Connection& db) {
  // WAL is a property of the database file; setting it once persists it.
  {
    auto mode = SAFEHOUSE_TRY(db.prepare("PRAGMA journal_mode=WAL"));
    if (!SAFEHOUSE_TRY(mode.step()) || mode.column_text(0) != "wal") {
      return io_error("sqlite: cannot switch the database to WAL mode");
    }
  }
  SAFEHOUSE_TRY_VOID(db.exec("BEGIN IMMEDIATE"));
  auto created = [&]() -> Result<void> {
    SAFEHOUSE_TRY_VOID(db.exec(kSchemaV1));
    auto get = SAFEHOUSE_TRY(db.prepare("SELECT value FROM settings WHERE key = 'schema_version'"));
    if (!SAFEHOUSE_TRY(get.step())) {
      auto put = SAFEHOUSE_TRY(
          db.prepare("INSERT INTO settings (key, value) VALUES ('schema_version', ?)"));
      return put.bind(1, as_bytes(std::to_string(kSchemaVersion))).run();
    }
    ByteSpan value = get.column_blob(0);
    std::string text(value.begin(), value.end());
    if (text != std::to_string(kSchemaVersion)) {
      return Error(ErrorCode::kUnsupported,
                   "sqlite: schema version " + text + " is not supported (want 1)");
    }
    return {};
  }();
  if (!created) {
    (void)db.exec("ROLLBACK");
    return created.error();
  }
  return db.exec("COMMIT");
}

}  // namespace safehouse::store::detail
