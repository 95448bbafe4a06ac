// SPDX-License-Identifier: AGPL-3.0-or-later
// store/postgres_store.cpp: the PostgreSQL SqlEngine — connections,
// transactions, advisory locks. The store itself is sql_store.cpp.
#include "store/postgres_store.h"

#include "store/pg_session.h"
#include "store/sql_store_impl.h"

namespace safehouse::store {
namespace detail {
namespace {

class PostgresEngine final : public SqlEngine {
 public:
  PostgresEngine(std::string url, int connect_timeout_s)
      : url_(std::move(url)), connect_timeout_s_(connect_timeout_s) {}

  SqlDialect dialect() const override { return SqlDialect::kPostgres; }
  Result<std::unique_ptr<SqlSession>> connect(bool writer) override {
    auto session = SAFEHOUSE_TRY(PgSession::connect(url_, connect_timeout_s_, !writer));
    return std::unique_ptr<SqlSession>(std::move(session));
  }
  // READ COMMITTED: inserts take new ids from sequences and never conflict;
  // the updates of a case row lock it until COMMIT; whatever must see a
  // stable head (a log) uses run_exclusive's advisory lock.
  Result<void> begin(SqlSession& db) override { return db.exec("BEGIN"); }
  Result<void> lock_exclusive(SqlSession& db, std::string_view name) override {
    return db.exec("SELECT pg_advisory_xact_lock(?)", {lock_key(name)});
  }
  bool poison_on_io() const override { return false; }
  std::string describe() const override { return redact_postgres_url(url_); }

 private:
  const std::string url_;
  const int connect_timeout_s_;
};

}  // namespace

std::unique_ptr<SqlEngine> postgres_engine(const std::string& url, int connect_timeout_s) {
  return std::make_unique<PostgresEngine>(url, connect_timeout_s);
}

}  // namespace detail

bool is_postgres_url(std::string_view text) {
  return text.starts_with("postgresql://") || text.starts_with("postgres://");
}

std::string redact_postgres_url(std::string_view url) {
  return detail::redact_postgres_url(url);
}

Result<std::unique_ptr<Store>> open_postgres(const std::string& url,
                                             std::unique_ptr<BlobStore> blobs,
                                             const PostgresOptions& options) {
  if (!is_postgres_url(url)) return invalid_argument("database: not a postgresql:// URL");
  detail::SqlStoreOptions store_options;
  store_options.max_batches_per_transaction = options.max_batches_per_transaction;
  store_options.reader_pool_size = options.reader_pool_size;
  auto store = detail::SqlStore::open(detail::postgres_engine(url, options.connect_timeout_s),
                                      std::move(blobs), store_options);
  if (!store) return store.error().with_context("open store " + redact_postgres_url(url));
  return store;
}

}  // namespace safehouse::store
