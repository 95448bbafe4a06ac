// SPDX-License-Identifier: AGPL-3.0-or-later
// store/postgres_store.h: the PostgreSQL engine, for several Safehouse
// servers in front of one database (docs/storage.md, "PostgreSQL"). The
// same Store, the same SQL and migrations as the SQLite engine; libpq with
// prepared statements, a pool of connections per server, and a writer
// thread per server whose group commits interleave safely with the other
// servers' (row locks; advisory locks for run_exclusive). Blobs stay in a
// BlobStore given by the caller.
#ifndef SAFEHOUSE_STORE_POSTGRES_STORE_H_
#define SAFEHOUSE_STORE_POSTGRES_STORE_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "base/error.h"
#include "store/store.h"

namespace safehouse::store {

// A plain value, copied by open_postgres().
struct PostgresOptions {
  // Most batches merged into one transaction.
  std::size_t max_batches_per_transaction = 1024;
  // Reader connections kept open for reuse (more are opened on demand).
  std::size_t reader_pool_size = 4;
  // Seconds to wait for a connection before answering kUnavailable.
  int connect_timeout_s = 5;
};

// True for "postgresql://…" and "postgres://…" (libpq's URI forms).
bool is_postgres_url(std::string_view text);
// `url` with its password (if any) replaced by "***".
std::string redact_postgres_url(std::string_view url);

// Connects to the database at `url`, migrates its schema (kUnsupported if
// it is newer than this binary) and returns the store; `blobs` holds the
// large ciphertexts. kUnavailable if the server cannot be reached. While
// the server is down later, reads and commits fail with kUnavailable (a
// COMMIT cut off midway: kOutcomeUnknown) and the store reconnects by
// itself once it is back. Thread-safe (see Store).
Result<std::unique_ptr<Store>> open_postgres(const std::string& url,
                                             std::unique_ptr<BlobStore> blobs,
                                             const PostgresOptions& options = {});

}  // namespace safehouse::store

#endif  // SAFEHOUSE_STORE_POSTGRES_STORE_H_
