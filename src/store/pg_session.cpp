// SPDX-License-Identifier: AGPL-3.0-or-later
// store/pg_session.cpp: the libpq SqlSession (store/pg_session.h).
#include "store/pg_session.h"

#include <cstring>
#include <regex>

#include "store/libpq.h"

namespace safehouse::store::detail {
namespace {

// Type OIDs (PostgreSQL's pg_type.dat) of the columns the store reads.
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;

struct ClearResult {
  const LibPq* pq;
  void operator()(PGresult* result) const { pq->PQclear(result); }
};
using ResultPtr = std::unique_ptr<PGresult, ClearResult>;

std::int64_t big_endian(const char* data, int length) {
  std::uint64_t value = 0;
  for (int i = 0; i < length; ++i) value = (value << 8) | static_cast<std::uint8_t>(data[i]);
  // Sign-extend 2- and 4-byte integers.
  if (length < 8 && length > 0 && (static_cast<std::uint8_t>(data[0]) & 0x80) != 0) {
    value |= ~std::uint64_t{0} << (8 * length);
  }
  return static_cast<std::int64_t>(value);
}

SqlRow::Value column_value(const LibPq& pq, const PGresult* result, int row, int column) {
  if (pq.PQgetisnull(result, row, column)) return std::monostate();
  const char* data = pq.PQgetvalue(result, row, column);
  const int length = pq.PQgetlength(result, row, column);
  switch (pq.PQftype(result, column)) {
    case kBoolOid:
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
      return big_endian(data, length);
    case kByteaOid:
      return Bytes(reinterpret_cast<const std::uint8_t*>(data),
                   reinterpret_cast<const std::uint8_t*>(data) + length);
    default:  // text and its kin: the binary form is the UTF-8 bytes
      return std::string(data, static_cast<std::size_t>(length));
  }
}

// Notices (e.g. "there is no transaction in progress") may quote values;
// they are not printed anywhere.
void ignore_notice(void*, const char*) {}

}  // namespace

std::string redact_postgres_url(std::string_view url) {
  // postgresql://user:password@host/db → postgresql://user:***@host/db, and
  // a password=… parameter likewise.
  static const std::regex kUserinfo(R"(^(postgres(?:ql)?://[^:@/]*:)[^@/]*@)");
  static const std::regex kParam(R"(([?&]password=)[^&]*)");
  std::string out = std::regex_replace(std::string(url), kUserinfo, "$1***@");
  return std::regex_replace(out, kParam, "$1***");
}

Result<std::unique_ptr<PgSession>> PgSession::connect(const std::string& url, int connect_timeout_s,
                                                      bool read_only) {
  const std::string timeout = std::to_string(connect_timeout_s);
  // connect_timeout first: a value in the URL overrides it.
  const char* keywords[] = {"connect_timeout", "dbname", nullptr};
  const char* values[] = {timeout.c_str(), url.c_str(), nullptr};
  const LibPq* pq = SAFEHOUSE_TRY(load_libpq());
  PGconn* conn = pq->PQconnectdbParams(keywords, values, 1);
  if (conn == nullptr) return Error(ErrorCode::kUnavailable, "postgresql: out of memory");
  std::unique_ptr<PgSession> session(new PgSession(*pq, conn));
  if (pq->PQstatus(conn) != CONNECTION_OK) {
    // libpq's message names the host and the reason, never a password.
    std::string why = pq->PQerrorMessage(conn);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return Error(ErrorCode::kUnavailable,
                 "postgresql: cannot connect to " + redact_postgres_url(url) + ": " + why);
  }
  pq->PQsetNoticeProcessor(conn, ignore_notice, nullptr);
  // An acknowledged write must be durable (invariant 5): whatever the
  // server's default, commits wait for the WAL flush (and for synchronous
  // standbys, if the operator configured any).
  std::string setup =
      "SET synchronous_commit = on; SET client_min_messages = warning; "
      "SET lock_timeout = '30s';";
  if (read_only) setup += " SET default_transaction_read_only = on;";
  SAFEHOUSE_TRY_VOID(session->exec_script(setup));
  return session;
}

PgSession::~PgSession() {
  pq_.PQfinish(conn_);
}

bool PgSession::broken() const {
  return pq_.PQstatus(conn_) != CONNECTION_OK;
}

Error PgSession::error_of(const void* raw, std::string_view sql) {
  const auto* result = static_cast<const PGresult*>(raw);
  retryable_ = false;
  const bool lost = broken();
  const char* state =
      result != nullptr ? pq_.PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string_view code = state != nullptr ? state : "";
  // Only the primary message: the detail may quote the values of a row.
  // A data exception's primary message may too ("invalid input syntax for
  // type bigint: \"…\""), so for class 22 only the SQLSTATE is kept.
  const char* primary =
      result != nullptr ? pq_.PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string message = "postgresql: ";
  if (code.starts_with("22")) {
    message += "the server refused a value";
  } else if (primary != nullptr) {
    message += primary;
  } else {
    message += lost ? "connection lost" : pq_.PQerrorMessage(conn_);
  }
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  if (!code.empty()) message += " (SQLSTATE " + std::string(code) + ")";
  if (lost || code.empty()) {
    // The server went away, or libpq failed on its own side: every error
    // the server sends carries an SQLSTATE, so one without is libpq's own
    // (a read or write that failed, memory, a protocol it could not
    // follow), and the connection may be dead even while PQstatus still
    // says OK. A COMMIT that was sent may or may not have happened
    // (kOutcomeUnknown: keep the blobs it names, tell the client so);
    // anything else certainly did not (kUnavailable: the client sees 503
    // and retries).
    if (sql == "COMMIT")
      return Error(ErrorCode::kOutcomeUnknown, message + " (during COMMIT: outcome unknown)");
    return Error(ErrorCode::kUnavailable, message);
  }
  if (code == "40001" || code == "40P01") {  // serialization failure, deadlock
    retryable_ = true;
    return Error(ErrorCode::kUnavailable, message);
  }
  if (code == "23503") return Error(ErrorCode::kNotFound, message);  // foreign key
  if (code.starts_with("23")) return Error(ErrorCode::kConflict, message);
  if (code.starts_with("08") || code.starts_with("53") || code.starts_with("57") ||
      code == "55P03") {
    // Connection trouble, out of resources (disk full), shutting down,
    // lock timeout: nothing was done.
    return Error(ErrorCode::kUnavailable, message);
  }
  if (code.starts_with("58")) return io_error(message);
  if (code == "XX001" || code == "XX002") return Error(ErrorCode::kIntegrity, message);
  return Error(ErrorCode::kInternal, message);
}

Result<SqlRows> PgSession::query(std::string_view sql, const SqlParams& params) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    const std::string name = "s" + std::to_string(prepared_.size());
    const std::string translated = translate_sql(sql, SqlDialect::kPostgres);
    ResultPtr prepared(pq_.PQprepare(conn_, name.c_str(), translated.c_str(), 0, nullptr),
                       ClearResult{&pq_});
    if (!prepared || pq_.PQresultStatus(prepared.get()) != PGRES_COMMAND_OK) {
      return error_of(prepared.get(), sql);
    }
    it = prepared_.emplace(std::string(sql), name).first;
  }
  // Integers go as text (so that the server may take them as any integer
  // type it inferred); text and bytes in binary, which carries lengths.
  std::vector<std::string> numbers(params.size());
  std::vector<const char*> values(params.size());
  std::vector<int> lengths(params.size());
  std::vector<int> formats(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    const auto& value = params[i].value();
    if (const auto* number = std::get_if<std::int64_t>(&value)) {
      numbers[i] = std::to_string(*number);
      values[i] = numbers[i].c_str();
    } else if (const auto* text = std::get_if<std::string_view>(&value)) {
      // A non-null pointer even for "": NULL is what a null pointer means.
      values[i] = text->empty() ? "" : text->data();
      lengths[i] = static_cast<int>(text->size());
      formats[i] = 1;
    } else if (const auto* bytes = std::get_if<ByteSpan>(&value)) {
      values[i] = bytes->empty() ? "" : reinterpret_cast<const char*>(bytes->data());
      lengths[i] = static_cast<int>(bytes->size());
      formats[i] = 1;
    }
  }
  ResultPtr result(pq_.PQexecPrepared(conn_, it->second.c_str(), static_cast<int>(params.size()),
                                      values.data(), lengths.data(), formats.data(), 1),
                   ClearResult{&pq_});
  const ExecStatusType status = result ? pq_.PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) return error_of(result.get(), sql);
  SqlRows rows(static_cast<std::size_t>(pq_.PQntuples(result.get())));
  const int columns = pq_.PQnfields(result.get());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    rows[r].values.reserve(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) {
      rows[r].values.push_back(column_value(pq_, result.get(), static_cast<int>(r), c));
    }
  }
  return rows;
}

Result<void> PgSession::exec_script(std::string_view sql) {
  const std::string text(sql);
  ResultPtr result(pq_.PQexec(conn_, text.c_str()), ClearResult{&pq_});
  const ExecStatusType status = result ? pq_.PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return error_of(result.get(), sql);
  return {};
}

}  // namespace safehouse::store::detail
