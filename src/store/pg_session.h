// SPDX-License-Identifier: AGPL-3.0-or-later
// store/pg_session.h (internal): an SqlSession over one libpq connection —
// placeholders translated to $N, statements prepared once per connection,
// results read in binary, SQLSTATEs turned into ErrorCodes. Knows libpq;
// nothing of the store's schema. libpq itself is loaded on the first
// connect() (store/libpq.h).
#ifndef SAFEHOUSE_STORE_PG_SESSION_H_
#define SAFEHOUSE_STORE_PG_SESSION_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "base/error.h"
#include "store/sql.h"

struct pg_conn;

namespace safehouse::store::detail {

struct LibPq;

// Not thread-safe (one connection, one thread at a time).
class PgSession final : public SqlSession {
 public:
  // Connects to `url` (postgresql://…), giving up after `connect_timeout_s`
  // seconds. kUnavailable when the server cannot be reached.
  // `read_only`: every transaction of the session is read-only.
  static Result<std::unique_ptr<PgSession>> connect(const std::string& url, int connect_timeout_s,
                                                    bool read_only);
  ~PgSession() override;
  PgSession(const PgSession&) = delete;
  PgSession& operator=(const PgSession&) = delete;

  SqlDialect dialect() const override { return SqlDialect::kPostgres; }
  Result<SqlRows> query(std::string_view sql, const SqlParams& params) override;
  Result<void> exec_script(std::string_view sql) override;
  bool broken() const override;
  bool last_error_retryable() const override { return retryable_; }

 private:
  PgSession(const LibPq& pq, pg_conn* conn) : pq_(pq), conn_(conn) {}
  // The Error for a failed result, by SQLSTATE; a null result or one
  // without SQLSTATE is libpq's own failure, taken as connection trouble.
  // Remembers whether it is worth a retry.
  Error error_of(const void* result, std::string_view sql);

  const LibPq& pq_;
  pg_conn* conn_;
  // SQL text → prepared statement name on this connection.
  std::map<std::string, std::string, std::less<>> prepared_;
  bool retryable_ = false;
};

// `url` with any password replaced by "***", for messages and logs.
std::string redact_postgres_url(std::string_view url);

}  // namespace safehouse::store::detail

#endif  // SAFEHOUSE_STORE_PG_SESSION_H_
