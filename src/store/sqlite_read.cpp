// SPDX-License-Identifier: AGPL-3.0-or-later
// store/sqlite_read.cpp: the SQLite engine's reads, on pooled read-only
// connections (WAL lets them run beside the writer), and item bodies.
#include <string>

#include "store/sqlite_store_impl.h"

namespace safehouse::store::detail {
namespace {

constexpr const char* kCaseColumns =
    "SELECT case_id, source_id, status, created_day, last_event_day, item_count FROM cases ";
constexpr const char* kItemColumns =
    "SELECT item_id, case_id, direction, sha256, ciphertext_size, day, in_blob FROM items ";

template <std::size_t N>
Result<std::array<std::uint8_t, N>> fixed_blob(ByteSpan bytes, const char* what) {
  std::array<std::uint8_t, N> out{};
  if (bytes.size() != N)
    return Error(ErrorCode::kIntegrity, std::string("stored ") + what + " has the wrong length");
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

Result<CaseRecord> case_from_row(const Statement& row) {
  CaseRecord r;
  r.case_id = row.column_int(0);
  r.source_id = SAFEHOUSE_TRY(fixed_blob<32>(row.column_blob(1), "source id"));
  auto status = status_from_name(row.column_text(2));
  if (!status) return Error(ErrorCode::kIntegrity, "stored case status is unknown");
  r.status = *status;
  r.created_day = static_cast<Day>(row.column_int(3));
  r.last_event_day = static_cast<Day>(row.column_int(4));
  r.item_count = row.column_int(5);
  return r;
}

Result<ItemRecord> item_from_row(const Statement& row) {
  ItemRecord r;
  r.item_id = row.column_int(0);
  r.case_id = row.column_int(1);
  auto direction = direction_from_name(row.column_text(2));
  if (!direction) return Error(ErrorCode::kIntegrity, "stored item direction is unknown");
  r.direction = *direction;
  r.sha256 = SAFEHOUSE_TRY(fixed_blob<32>(row.column_blob(3), "sha-256"));
  r.ciphertext_size = static_cast<std::uint64_t>(row.column_int(4));
  r.day = static_cast<Day>(row.column_int(5));
  r.location = row.column_int(6) != 0 ? BodyLocation::kBlob : BodyLocation::kInline;
  return r;
}

// Reads every row of `stmt` through `convert`.
template <typename Record, typename Convert>
Result<std::vector<Record>> collect(Statement& stmt, Convert convert) {
  std::vector<Record> out;
  while (SAFEHOUSE_TRY(stmt.step())) out.push_back(SAFEHOUSE_TRY(convert(stmt)));
  return out;
}

}  // namespace

Result<SqliteStore::ReaderLease> SqliteStore::acquire_reader() {
  {
    MutexLock lock(pool_mu_);
    if (!idle_readers_.empty()) {
      auto connection = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return ReaderLease(*this, std::move(connection));
    }
  }
  auto connection =
      SAFEHOUSE_TRY(Connection::open(db_path_, vfs_->name(), options_.busy_timeout, true));
  return ReaderLease(*this, std::move(connection));
}

void SqliteStore::release_reader(std::unique_ptr<Connection> connection) {
  MutexLock lock(pool_mu_);
  if (idle_readers_.size() < options_.reader_pool_size)
    idle_readers_.push_back(std::move(connection));
}

Result<SourceRecord> SqliteStore::get_source(const SourceId& source_id) {
  auto db = SAFEHOUSE_TRY(acquire_reader());
  auto stmt = SAFEHOUSE_TRY(
      (*db).prepare("SELECT alias, created_day, reply_recipient FROM sources WHERE source_id = ?"));
  stmt.bind(1, ByteSpan(source_id));
  if (!SAFEHOUSE_TRY(stmt.step())) return Error(ErrorCode::kNotFound, "store: no such source");
  return SourceRecord{source_id, std::string(stmt.column_text(0)),
                      static_cast<Day>(stmt.column_int(1)), std::string(stmt.column_text(2))};
}

Result<CaseRecord> SqliteStore::get_case(CaseId case_id) {
  auto db = SAFEHOUSE_TRY(acquire_reader());
  auto stmt =
      SAFEHOUSE_TRY((*db).prepare((std::string(kCaseColumns) + "WHERE case_id = ?").c_str()));
  stmt.bind(1, case_id);
  if (!SAFEHOUSE_TRY(stmt.step())) return Error(ErrorCode::kNotFound, "store: no such case");
  return case_from_row(stmt);
}

Result<std::vector<CaseRecord>> SqliteStore::list_cases(const CaseQuery& query) {
  if (query.limit == 0 || query.limit > kMaxListLimit) {
    return invalid_argument("list cases: limit must be 1 to 10000");
  }
  auto db = SAFEHOUSE_TRY(acquire_reader());
  // NULL parameters switch the filters off, so one cached statement serves.
  auto stmt = SAFEHOUSE_TRY((*db).prepare(
      (std::string(kCaseColumns) +
       "WHERE case_id > ?1 AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR source_id = ?3) "
       "ORDER BY case_id LIMIT ?4")
          .c_str()));
  stmt.bind(1, query.after_case_id);
  if (query.status) {
    stmt.bind(2, status_name(*query.status));
  } else {
    stmt.bind_null(2);
  }
  if (query.source_id) {
    stmt.bind(3, ByteSpan(*query.source_id));
  } else {
    stmt.bind_null(3);
  }
  stmt.bind(4, static_cast<std::int64_t>(query.limit));
  return collect<CaseRecord>(stmt, case_from_row);
}

Result<ItemRecord> SqliteStore::get_item(ItemId item_id) {
  auto loaded = SAFEHOUSE_TRY(load_item(item_id, false));
  return loaded.first;
}

Result<std::vector<ItemRecord>> SqliteStore::list_items(CaseId case_id) {
  auto db = SAFEHOUSE_TRY(acquire_reader());
  {
    auto exists = SAFEHOUSE_TRY((*db).prepare("SELECT 1 FROM cases WHERE case_id = ?"));
    exists.bind(1, case_id);
    if (!SAFEHOUSE_TRY(exists.step())) return Error(ErrorCode::kNotFound, "store: no such case");
  }
  auto stmt = SAFEHOUSE_TRY(
      (*db).prepare((std::string(kItemColumns) + "WHERE case_id = ? ORDER BY item_id").c_str()));
  stmt.bind(1, case_id);
  return collect<ItemRecord>(stmt, item_from_row);
}

Result<std::pair<ItemRecord, std::optional<Bytes>>> SqliteStore::load_item(ItemId item_id,
                                                                           bool with_body) {
  auto db = SAFEHOUSE_TRY(acquire_reader());
  auto stmt = SAFEHOUSE_TRY((*db).prepare(
      (std::string("SELECT item_id, case_id, direction, sha256, ciphertext_size, day, in_blob, "
                   "inline_body FROM items WHERE item_id = ?"))
          .c_str()));
  stmt.bind(1, item_id);
  if (!SAFEHOUSE_TRY(stmt.step())) return Error(ErrorCode::kNotFound, "store: no such item");
  ItemRecord record = SAFEHOUSE_TRY(item_from_row(stmt));
  std::optional<Bytes> body;
  if (with_body && record.location == BodyLocation::kInline) {
    ByteSpan bytes = stmt.column_blob(7);
    if (bytes.size() != record.ciphertext_size || sha256_of(bytes) != record.sha256) {
      return Error(ErrorCode::kIntegrity,
                   "store: item " + std::to_string(item_id) + ": body does not match its sha-256");
    }
    body.emplace(bytes.begin(), bytes.end());
  }
  return std::make_pair(record, std::move(body));
}

Result<std::unique_ptr<ByteSource>> SqliteStore::open_item_body(ItemId item_id) {
  auto [record, body] = SAFEHOUSE_TRY(load_item(item_id, true));
  if (body) return std::unique_ptr<ByteSource>(new OwnedSource(std::move(*body)));
  return blobs_->open_blob(BlobRef{record.sha256, record.ciphertext_size});
}

Result<Bytes> SqliteStore::read_item_body(ItemId item_id, std::size_t max_bytes) {
  auto [record, body] = SAFEHOUSE_TRY(load_item(item_id, true));
  if (record.ciphertext_size > max_bytes) {
    return Error(ErrorCode::kTooLarge, "store: item body is larger than allowed");
  }
  if (body) return std::move(*body);
  return blobs_->read_blob(BlobRef{record.sha256, record.ciphertext_size}, max_bytes);
}

Result<Bytes> SqliteStore::get_setting(const std::string& key) {
  auto db = SAFEHOUSE_TRY(acquire_reader());
  auto stmt = SAFEHOUSE_TRY((*db).prepare("SELECT value FROM settings WHERE key = ?"));
  stmt.bind(1, key);
  if (!SAFEHOUSE_TRY(stmt.step())) return Error(ErrorCode::kNotFound, "store: no such setting");
  ByteSpan value = stmt.column_blob(0);
  return Bytes(value.begin(), value.end());
}

}  // namespace safehouse::store::detail
