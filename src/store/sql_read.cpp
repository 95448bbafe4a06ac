// SPDX-License-Identifier: AGPL-3.0-or-later
// store/sql_read.cpp: the store's reads, once for every engine, on pooled
// connections (SQLite: read-only, beside the writer thanks to WAL), and
// item bodies.
#include <string>

#include "store/sql_store_impl.h"

namespace safehouse::store::detail {
namespace {

constexpr std::string_view kCaseColumns =
    "SELECT case_id, source_id, status, created_day, last_event_day, item_count, audit_consent "
    "FROM cases ";
constexpr std::string_view kItemColumns =
    "SELECT item_id, case_id, direction, sha256, ciphertext_size, day, in_blob, inline_body "
    "FROM items ";
constexpr std::string_view kItemColumnsNoBody =
    "SELECT item_id, case_id, direction, sha256, ciphertext_size, day, in_blob FROM items ";

template <std::size_t N>
Result<std::array<std::uint8_t, N>> fixed_blob(ByteSpan bytes, const char* what) {
  std::array<std::uint8_t, N> out{};
  if (bytes.size() != N)
    return Error(ErrorCode::kIntegrity, std::string("stored ") + what + " has the wrong length");
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

Result<CaseRecord> case_from_row(const SqlRow& row) {
  CaseRecord r;
  r.case_id = row.integer(0);
  r.source_id = SAFEHOUSE_TRY(fixed_blob<32>(row.blob(1), "source id"));
  auto status = status_from_name(row.text(2));
  if (!status) return Error(ErrorCode::kIntegrity, "stored case status is unknown");
  r.status = *status;
  r.created_day = static_cast<Day>(row.integer(3));
  r.last_event_day = static_cast<Day>(row.integer(4));
  r.item_count = row.integer(5);
  r.audit_consent = row.integer(6) != 0;
  return r;
}

Result<ItemRecord> item_from_row(const SqlRow& row) {
  ItemRecord r;
  r.item_id = row.integer(0);
  r.case_id = row.integer(1);
  auto direction = direction_from_name(row.text(2));
  if (!direction) return Error(ErrorCode::kIntegrity, "stored item direction is unknown");
  r.direction = *direction;
  r.sha256 = SAFEHOUSE_TRY(fixed_blob<32>(row.blob(3), "sha-256"));
  r.ciphertext_size = static_cast<std::uint64_t>(row.integer(4));
  r.day = static_cast<Day>(row.integer(5));
  r.location = row.integer(6) != 0 ? BodyLocation::kBlob : BodyLocation::kInline;
  return r;
}

// Every row of `rows` through `convert`.
template <typename Record, typename Convert>
Result<std::vector<Record>> collect(const SqlRows& rows, Convert convert) {
  std::vector<Record> out;
  out.reserve(rows.size());
  for (const SqlRow& row : rows) out.push_back(SAFEHOUSE_TRY(convert(row)));
  return out;
}

std::string concat(std::string_view a, std::string_view b) {
  std::string out(a);
  out += b;
  return out;
}

}  // namespace

Result<std::unique_ptr<SqlSession>> SqlStore::acquire_reader() {
  {
    MutexLock lock(pool_mu_);
    if (!idle_readers_.empty()) {
      auto session = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return session;
    }
  }
  return engine_->connect(false);
}

void SqlStore::release_reader(std::unique_ptr<SqlSession> session) {
  MutexLock lock(pool_mu_);
  if (session->broken()) {
    // The database went away: every idle connection is as dead as this one.
    idle_readers_.clear();
    return;
  }
  if (idle_readers_.size() < options_.reader_pool_size) idle_readers_.push_back(std::move(session));
}

template <typename T>
Result<T> SqlStore::with_reader(const std::function<Result<T>(SqlSession&)>& read) {
  for (int attempt = 0;; ++attempt) {
    auto session = acquire_reader();
    if (!session) return session.error().with_context("store");
    auto result = read(**session);
    const bool lost = (*session)->broken();
    release_reader(std::move(*session));
    // A read has no effects, so a second try after a lost connection is safe.
    if (result || !lost || attempt > 0) return result;
  }
}

Result<SourceRecord> SqlStore::get_source(const SourceId& source_id) {
  return with_reader<SourceRecord>([&](SqlSession& db) -> Result<SourceRecord> {
    auto row = SAFEHOUSE_TRY(
        db.query_one("SELECT alias, created_day, reply_recipient, signing_key FROM sources "
                     "WHERE source_id = ?",
                     {ByteSpan(source_id)}));
    if (!row) return Error(ErrorCode::kNotFound, "store: no such source");
    SourceRecord record{source_id,
                        std::string(row->text(0)),
                        static_cast<Day>(row->integer(1)),
                        std::string(row->text(2)),
                        {}};
    if (!row->is_null(3)) {
      const ByteSpan key = row->blob(3);
      record.signing_key.assign(key.begin(), key.end());
    }
    return record;
  });
}

Result<CaseRecord> SqlStore::get_case(CaseId case_id) {
  return with_reader<CaseRecord>([&](SqlSession& db) -> Result<CaseRecord> {
    auto row = SAFEHOUSE_TRY(db.query_one(concat(kCaseColumns, "WHERE case_id = ?"), {case_id}));
    if (!row) return Error(ErrorCode::kNotFound, "store: no such case");
    return case_from_row(*row);
  });
}

Result<std::vector<CaseRecord>> SqlStore::list_cases(const CaseQuery& query) {
  if (query.limit == 0 || query.limit > kMaxListLimit) {
    return invalid_argument("list cases: limit must be 1 to 10000");
  }
  return with_reader<std::vector<CaseRecord>>(
      [&](SqlSession& db) -> Result<std::vector<CaseRecord>> {
        // NULL parameters switch the filters off, so one cached statement
        // serves every query. The casts tell PostgreSQL the parameters'
        // types, which `? IS NULL` alone does not.
        auto rows = SAFEHOUSE_TRY(db.query(
            concat(kCaseColumns,
                   "WHERE case_id > ?1 AND (CAST(?2 AS TEXT) IS NULL OR status = ?2) "
                   "AND (CAST(?3 AS {blob}) IS NULL OR source_id = ?3) "
                   "ORDER BY case_id LIMIT ?4"),
            {query.after_case_id, query.status ? SqlParam(status_name(*query.status)) : SqlParam(),
             query.source_id ? SqlParam(ByteSpan(*query.source_id)) : SqlParam(),
             static_cast<std::int64_t>(query.limit)}));
        return collect<CaseRecord>(rows, case_from_row);
      });
}

Result<ItemRecord> SqlStore::get_item(ItemId item_id) {
  auto loaded = SAFEHOUSE_TRY(load_item(item_id, false));
  return loaded.first;
}

Result<std::vector<ItemRecord>> SqlStore::list_items(CaseId case_id) {
  return with_reader<std::vector<ItemRecord>>(
      [&](SqlSession& db) -> Result<std::vector<ItemRecord>> {
        auto exists =
            SAFEHOUSE_TRY(db.query_one("SELECT 1 FROM cases WHERE case_id = ?", {case_id}));
        if (!exists) return Error(ErrorCode::kNotFound, "store: no such case");
        auto rows = SAFEHOUSE_TRY(
            db.query(concat(kItemColumnsNoBody, "WHERE case_id = ? ORDER BY item_id"), {case_id}));
        return collect<ItemRecord>(rows, item_from_row);
      });
}

Result<std::pair<ItemRecord, std::optional<Bytes>>> SqlStore::load_item(ItemId item_id,
                                                                        bool with_body) {
  using Loaded = std::pair<ItemRecord, std::optional<Bytes>>;
  return with_reader<Loaded>([&](SqlSession& db) -> Result<Loaded> {
    auto row = SAFEHOUSE_TRY(db.query_one(
        concat(with_body ? kItemColumns : kItemColumnsNoBody, "WHERE item_id = ?"), {item_id}));
    if (!row) return Error(ErrorCode::kNotFound, "store: no such item");
    ItemRecord record = SAFEHOUSE_TRY(item_from_row(*row));
    std::optional<Bytes> body;
    if (with_body && record.location == BodyLocation::kInline) {
      ByteSpan bytes = row->blob(7);
      if (bytes.size() != record.ciphertext_size || sha256_of(bytes) != record.sha256) {
        return Error(ErrorCode::kIntegrity, "store: item " + std::to_string(item_id) +
                                                ": body does not match its sha-256");
      }
      body.emplace(bytes.begin(), bytes.end());
    }
    return Loaded(record, std::move(body));
  });
}

Result<std::unique_ptr<ByteSource>> SqlStore::open_item_body(ItemId item_id) {
  auto [record, body] = SAFEHOUSE_TRY(load_item(item_id, true));
  if (body) return std::unique_ptr<ByteSource>(new OwnedSource(std::move(*body)));
  return blobs_->open_blob(BlobRef{record.sha256, record.ciphertext_size});
}

Result<Bytes> SqlStore::read_item_body(ItemId item_id, std::size_t max_bytes) {
  auto [record, body] = SAFEHOUSE_TRY(load_item(item_id, true));
  if (record.ciphertext_size > max_bytes) {
    return Error(ErrorCode::kTooLarge, "store: item body is larger than allowed");
  }
  if (body) return std::move(*body);
  return blobs_->read_blob(BlobRef{record.sha256, record.ciphertext_size}, max_bytes);
}

Result<Bytes> SqlStore::get_setting(const std::string& key) {
  return with_reader<Bytes>([&](SqlSession& db) -> Result<Bytes> {
    auto row = SAFEHOUSE_TRY(db.query_one("SELECT value FROM settings WHERE key = ?", {key}));
    if (!row) return Error(ErrorCode::kNotFound, "store: no such setting");
    ByteSpan value = row->blob(0);
    return Bytes(value.begin(), value.end());
  });
}

Result<void> SqlStore::read(const std::function<Result<void>(SqlSession&)>& read) {
  return with_reader<void>(read);
}

}  // namespace safehouse::store::detail
