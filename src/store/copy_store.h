// SPDX-License-Identifier: AGPL-3.0-or-later
// store/copy_store.h: moving an installation's records from its SQLite file
// to a PostgreSQL database (`safehouse migrate`), and proving the copy: the
// same rows in every table and every item's body matching its SHA-256.
// Works table by table from the schema itself, so tables added by later
// migrations are copied without changes here. Blobs stay where they are.
#ifndef SAFEHOUSE_STORE_COPY_STORE_H_
#define SAFEHOUSE_STORE_COPY_STORE_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "base/error.h"
#include "store/blob_store.h"
#include "store/file_system.h"

namespace safehouse::store {

// What was copied and checked. A plain value.
struct CopyReport {
  struct Table {
    std::string name;
    std::uint64_t rows = 0;  // the same on both sides, row for row
  };
  std::vector<Table> tables;
  std::uint64_t inline_bodies_verified = 0;  // SHA-256 of the copy = the record's
  std::uint64_t blobs_verified = 0;          // read whole, SHA-256 checked
};

// Copies every table of DIR/safehouse.sqlite3 into the (empty) PostgreSQL
// database `url` in one transaction, after bringing both schemas to this
// binary's version, then compares them: row counts and a SHA-256 of every
// row of every table, and each item's body (inline: from PostgreSQL;
// blob: read whole from DIR/blobs, kept by `blobs`) against its SHA-256. kConflict if the
// target already holds records; kIntegrity if anything differs. The
// Safehouse server must be stopped while this runs.
Result<CopyReport> copy_sqlite_to_postgres(const std::filesystem::path& dir, const std::string& url,
                                           BlobEngine blobs, FileSystem& fs);

}  // namespace safehouse::store

#endif  // SAFEHOUSE_STORE_COPY_STORE_H_
