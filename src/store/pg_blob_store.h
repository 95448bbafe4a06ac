// SPDX-License-Identifier: AGPL-3.0-or-later
// store/pg_blob_store.h: the PostgreSQL blob engine — ciphertexts in 1 MiB
// rows of blob_chunks, named in blobs by SHA-256 (schema migration 2), so
// that several servers share them without a shared file system. A writer
// streams its chunks inside one transaction of its own connection and
// commits them with the blob's name at finish(): a blob is whole and
// durable or absent, and a crash leaves nothing (PostgreSQL rolls the
// transaction back). No resumable uploads yet (kUnsupported).
#ifndef SAFEHOUSE_STORE_PG_BLOB_STORE_H_
#define SAFEHOUSE_STORE_PG_BLOB_STORE_H_

#include <memory>
#include <string>

#include "base/error.h"
#include "store/blob_store.h"

namespace safehouse::store {

// Bytes per blob_chunks row.
inline constexpr std::size_t kPgBlobChunkBytes = 1 << 20;

// Connects to `url` (whose schema must already be migrated: open the Store
// first, or use open_store()). Thread-safe (see BlobStore).
Result<std::unique_ptr<BlobStore>> open_pg_blob_store(const std::string& url,
                                                      int connect_timeout_s = 5);

}  // namespace safehouse::store

#endif  // SAFEHOUSE_STORE_PG_BLOB_STORE_H_
