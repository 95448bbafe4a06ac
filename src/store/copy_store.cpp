// SPDX-License-Identifier: AGPL-3.0-or-later
// store/copy_store.cpp: SQLite → PostgreSQL, verified (store/copy_store.h).
#include "store/copy_store.h"

#include <algorithm>
#include <limits>

#include "crypto/sha256.h"
#include "store/pg_session.h"
#include "store/sql_store_impl.h"
#include "store/sqlite_store.h"

namespace safehouse::store {
namespace {

using detail::SqlEngine;

constexpr std::int64_t kRowsPerRead = 256;

struct TableShape {
  std::string name;
  std::vector<std::string> columns;
};

std::string joined(const std::vector<std::string>& names, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i)
    out += (i > 0 ? std::string(separator) : "") + names[i];
  return out;
}

// The source's tables in the order the migrations created them (parents
// before the tables that refer to them), with their columns.
Result<std::vector<TableShape>> source_tables(SqlSession& db) {
  std::vector<TableShape> tables;
  auto names = SAFEHOUSE_TRY(
      db.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
               "ORDER BY rowid"));
  for (const SqlRow& name : names) {
    TableShape table{std::string(name.text(0)), {}};
    auto columns =
        SAFEHOUSE_TRY(db.query("SELECT name FROM pragma_table_info(?) ORDER BY cid", {table.name}));
    for (const SqlRow& column : columns) table.columns.emplace_back(column.text(0));
    tables.push_back(std::move(table));
  }
  return tables;
}

SqlParams params_of(const SqlRow& row, std::size_t from) {
  SqlParams params;
  for (std::size_t i = from; i < row.values.size(); ++i) {
    std::visit(
        [&](const auto& value) {
          using T = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<T, std::monostate>) {
            params.emplace_back();
          } else if constexpr (std::is_same_v<T, Bytes>) {
            params.emplace_back(ByteSpan(value));
          } else {
            params.emplace_back(value);
          }
        },
        row.values[i]);
  }
  return params;
}

// A digest of one row that is the same whichever engine it was read from.
Sha256 row_digest(const SqlRow& row, std::size_t from) {
  crypto::Sha256 hasher;
  for (std::size_t i = from; i < row.values.size(); ++i) {
    std::visit(
        [&](const auto& value) {
          using T = std::decay_t<decltype(value)>;
          std::string head;
          if constexpr (std::is_same_v<T, std::monostate>) {
            head = "n;";
          } else if constexpr (std::is_same_v<T, std::int64_t>) {
            head = "i" + std::to_string(value) + ";";
          } else {
            head = "b" + std::to_string(value.size()) + ":";
          }
          hasher.update(as_bytes(head));
          if constexpr (std::is_same_v<T, std::string>) hasher.update(as_bytes(value));
          if constexpr (std::is_same_v<T, Bytes>) hasher.update(value);
        },
        row.values[i]);
  }
  return hasher.finish();
}

// Reads every row of `table` in pages (rowid order on SQLite, primary key
// order on PostgreSQL) and hands each to `visit`.
template <typename Visit>
Result<std::uint64_t> each_row(SqlSession& db, const TableShape& table, Visit visit) {
  const std::string columns = joined(table.columns, ", ");
  const std::string key = db.dialect() == SqlDialect::kSqlite ? "rowid" : "ctid";
  std::uint64_t count = 0;
  if (db.dialect() == SqlDialect::kPostgres) {
    // One read: PostgreSQL streams it; the tables' sizes are bounded by
    // what one SQLite file held.
    auto rows = SAFEHOUSE_TRY(db.query("SELECT 0, " + columns + " FROM " + table.name));
    for (const SqlRow& row : rows) {
      SAFEHOUSE_TRY_VOID(visit(row));
      ++count;
    }
    return count;
  }
  std::int64_t after = std::numeric_limits<std::int64_t>::min();
  for (;;) {
    auto rows = SAFEHOUSE_TRY(db.query("SELECT rowid, " + columns + " FROM " + table.name +
                                           " WHERE rowid > ? ORDER BY rowid LIMIT ?",
                                       {after, kRowsPerRead}));
    for (const SqlRow& row : rows) {
      SAFEHOUSE_TRY_VOID(visit(row));
      after = row.integer(0);
      ++count;
    }
    if (static_cast<std::int64_t>(rows.size()) < kRowsPerRead) return count;
  }
}

Result<std::vector<Sha256>> table_digests(SqlSession& db, const TableShape& table) {
  std::vector<Sha256> digests;
  SAFEHOUSE_TRY_VOID(each_row(db, table, [&](const SqlRow& row) -> Result<void> {
    digests.push_back(row_digest(row, 1));
    return {};
  }));
  std::sort(digests.begin(), digests.end());
  return digests;
}

Result<void> copy_tables(SqlSession& from, SqlSession& to, SqlEngine& target,
                         const std::vector<TableShape>& tables) {
  SAFEHOUSE_TRY_VOID(target.begin(to));
  auto copied = [&]() -> Result<void> {
    for (const TableShape& table : tables) {
      std::string marks;
      for (std::size_t i = 0; i < table.columns.size(); ++i) marks += i > 0 ? ", ?" : "?";
      // The target's migrations wrote its own schema_version.
      const std::string insert = "INSERT INTO " + table.name + " (" + joined(table.columns, ", ") +
                                 ") VALUES (" + marks + ")" +
                                 (table.name == "settings" ? " ON CONFLICT (key) DO NOTHING" : "");
      auto rows = each_row(from, table, [&](const SqlRow& row) -> Result<void> {
        return to.exec(insert, params_of(row, 1));
      });
      if (!rows) return rows.error().with_context("copy " + table.name);
    }
    // Ids continue after the copied ones, and after any SQLite handed out
    // and purged since (AUTOINCREMENT never reuses an id).
    auto identities = SAFEHOUSE_TRY(
        to.query("SELECT table_name::text, column_name::text FROM information_schema.columns "
                 "WHERE table_schema = current_schema() AND is_identity = 'YES'"));
    for (const SqlRow& identity : identities) {
      const std::string table(identity.text(0));
      const std::string column(identity.text(1));
      auto seen =
          SAFEHOUSE_TRY(from.query_one("SELECT seq FROM sqlite_sequence WHERE name = ?", {table}));
      const std::int64_t sqlite_next = seen ? seen->integer(0) : 0;
      SAFEHOUSE_TRY_VOID(
          to.exec("SELECT setval(pg_get_serial_sequence(CAST(? AS TEXT), "
                  "CAST(? AS TEXT)), GREATEST((SELECT max(" +
                      column + ") FROM " + table + "), ?, 1))",
                  {table, column, sqlite_next}));
    }
    return {};
  }();
  if (!copied) {
    (void)to.exec("ROLLBACK");
    return copied.error();
  }
  return to.exec("COMMIT");
}

Result<void> verify_bodies(SqlSession& to, BlobStore& blobs, CopyReport& report) {
  TableShape items{"items", {"item_id", "sha256", "ciphertext_size", "in_blob", "inline_body"}};
  auto checked = each_row(to, items, [&](const SqlRow& row) -> Result<void> {
    const std::string which = "item " + std::to_string(row.integer(1));
    ByteSpan digest = row.blob(2);
    if (digest.size() != 32) return Error(ErrorCode::kIntegrity, which + ": bad sha-256");
    BlobRef ref;
    std::copy(digest.begin(), digest.end(), ref.sha256.begin());
    ref.size = static_cast<std::uint64_t>(row.integer(3));
    if (row.integer(4) == 0) {
      ByteSpan body = row.blob(5);
      if (body.size() != ref.size || sha256_of(body) != ref.sha256) {
        return Error(ErrorCode::kIntegrity, which + ": body does not match its sha-256");
      }
      ++report.inline_bodies_verified;
      return {};
    }
    // The blob source checks the size and the SHA-256 of every byte.
    auto blob = blobs.open_blob(ref);
    if (!blob) return blob.error().with_context(which);
    Bytes buffer(1 << 20);
    for (;;) {
      auto n = (*blob)->read(buffer);
      if (!n) return n.error().with_context(which);
      if (*n == 0) break;
    }
    ++report.blobs_verified;
    return {};
  });
  if (!checked) return checked.error().with_context("migrate: verify");
  return {};
}

}  // namespace

Result<CopyReport> copy_sqlite_to_postgres(const std::filesystem::path& dir, const std::string& url,
                                           BlobEngine blob_engine, FileSystem& fs) {
  // Both schemas at this binary's version first.
  SqliteOptions options;
  options.blob_engine = blob_engine;
  { SAFEHOUSE_TRY_VOID(open_sqlite(dir, fs, options)); }
  auto blobs = SAFEHOUSE_TRY(open_blob_store(dir, fs, blob_engine));
  auto source = SAFEHOUSE_TRY(detail::sqlite_engine(dir, fs, std::chrono::seconds(5)));
  auto target = detail::postgres_engine(url, 10);
  auto from = SAFEHOUSE_TRY(source->connect(false));
  auto to = SAFEHOUSE_TRY(target->connect(true));
  SAFEHOUSE_TRY_VOID(detail::migrate_schema(*to, *target));

  const std::vector<TableShape> tables = SAFEHOUSE_TRY(source_tables(*from));
  for (const TableShape& table : tables) {
    auto held = SAFEHOUSE_TRY(
        to->query_one("SELECT count(*) FROM " + table.name +
                      (table.name == "settings" ? " WHERE key <> 'schema_version'" : "")));
    if (held && held->integer(0) != 0) {
      return Error(ErrorCode::kConflict,
                   "migrate: the target database is not empty (table " + table.name + " has rows)");
    }
  }
  SAFEHOUSE_TRY_VOID(copy_tables(*from, *to, *target, tables));

  CopyReport report;
  for (const TableShape& table : tables) {
    const auto before = SAFEHOUSE_TRY(table_digests(*from, table));
    const auto after = SAFEHOUSE_TRY(table_digests(*to, table));
    if (before != after) {
      return Error(ErrorCode::kIntegrity, "migrate: table " + table.name +
                                              " differs after the copy (" +
                                              std::to_string(before.size()) + " rows before, " +
                                              std::to_string(after.size()) + " after)");
    }
    report.tables.push_back({table.name, before.size()});
  }
  SAFEHOUSE_TRY_VOID(verify_bodies(*to, *blobs, report));
  return report;
}

}  // namespace safehouse::store
