// SPDX-License-Identifier: AGPL-3.0-or-later
// store/log_store.h: the installation's transparency log in its database
// (docs/tlog.md, "The log in the database"). Tiles, entry bundles and the
// signed checkpoint live in table log_tiles (SqlTileStore), so every server
// on one PostgreSQL database serves and extends the same log. An append —
// tiles and the new checkpoint — is one transaction holding the log's
// exclusive lock (PostgreSQL advisory lock; SQLite's BEGIN IMMEDIATE), so
// appends from several processes are serialised: no fork, no gap.
#ifndef SAFEHOUSE_STORE_LOG_STORE_H_
#define SAFEHOUSE_STORE_LOG_STORE_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/byte_stream.h"
#include "base/error.h"
#include "store/file_system.h"
#include "tlog/checkpoint.h"
#include "tlog/note.h"

namespace safehouse::store {

namespace detail {
class SqlEngine;
}
class SqlSession;

// The published head of the log: the checkpoint and its signed note.
struct LogHead {
  tlog::Checkpoint checkpoint;
  std::string note;
};

struct LogAppended {
  std::uint64_t first_index = 0;  // the first new entry's index
  LogHead head;                   // the checkpoint naming them
};

// A witness's cosignature of one checkpoint (docs/tlog.md, "Witnesses").
struct LogCosignature {
  std::string witness;     // the witness's cosignature/v1 verifier key
  std::uint64_t size = 0;  // the checkpoint's size
  std::string checkpoint;  // the checkpoint text it cosigned (the note's text)
  std::string signatures;  // its "— <name> <base64>\n" lines, verified by the caller
};

// Thread-safe: reads and appends may come from any thread (each side has
// its own connection under its own mutex).
class LogStore {
 public:
  // Opens the log tables of the installation's database: SQLite in `dir`
  // (database "") or the PostgreSQL database `database`; brings the schema
  // up to date. Lifetime: `fs` outlives the LogStore.
  static Result<std::unique_ptr<LogStore>> open(const std::filesystem::path& dir,
                                                const std::string& database, FileSystem& fs);
  ~LogStore();
  LogStore(const LogStore&) = delete;
  LogStore& operator=(const LogStore&) = delete;

  // The bytes at a log path ("checkpoint", "tile/0/000.p/3", …), as
  // served: kNotFound if absent, kInvalidArgument for another path.
  Result<Bytes> read(std::string_view path);
  // The current head; kNotFound before create().
  Result<LogHead> head();
  // Creates the log: a size-0 checkpoint for `origin` signed by `signer`.
  // If the log exists already, returns its head unchanged.
  Result<LogHead> create(std::string_view origin, const tlog::NoteSigner& signer);
  // Appends `entries` in order and publishes a checkpoint of the new size
  // signed by `signer`, atomically. kNotFound if the log was never
  // created; kIntegrity if the tiles do not hash to the stored checkpoint.
  Result<LogAppended> append(std::span<const Bytes> entries, const tlog::NoteSigner& signer);

  // What goes with an append (docs/tlog.md, "Case events in the log"):
  // `entries(db, head)` chooses the entries from the database, they are
  // appended and a new checkpoint is published, then `after(db, appended)`
  // records where they went — one transaction holding the log's lock, so
  // two servers never publish the same rows twice. No entries: nothing is
  // appended, and after() runs with the head unchanged (first_index = size).
  using ChooseEntries = std::function<Result<std::vector<Bytes>>(SqlSession&, const LogHead&)>;
  using AfterAppend = std::function<Result<void>(SqlSession&, const LogAppended&)>;
  Result<LogAppended> append_with(const ChooseEntries& entries, const AfterAppend& after,
                                  const tlog::NoteSigner& signer);
  // Runs `work` in a write transaction holding the log's lock, with the
  // head at that moment; commits if it succeeds. kNotFound before create().
  Result<void> update(const std::function<Result<void>(SqlSession&, const LogHead&)>& work);
  // Runs `work` on the reading connection (the HTTP routes' side).
  Result<void> read_with(const std::function<Result<void>(SqlSession&)>& work);
  // Keeps `cosignature` as its witness's latest, unless the store already
  // holds one of a larger size for that witness (two servers racing).
  Result<void> save_cosignature(const LogCosignature& cosignature);
  // Every witness's latest cosignature, by witness key.
  Result<std::vector<LogCosignature>> cosignatures();
  // The signed checkpoint as /log/checkpoint serves it: the log's note
  // with the signature lines of every witness that cosigned exactly it.
  Result<Bytes> cosigned_checkpoint();

 private:
  explicit LogStore(std::unique_ptr<detail::SqlEngine> engine);
  // Runs `work` in a write transaction holding the log's lock; commits if
  // it succeeds, rolls back otherwise.
  template <typename T, typename Work>
  Result<T> locked(Work&& work);
  Result<SqlSession*> session(std::unique_ptr<SqlSession>& slot, bool writer);

  const std::unique_ptr<detail::SqlEngine> engine_;
  std::mutex read_mu_;
  std::unique_ptr<SqlSession> reader_;  // guarded by read_mu_
  std::mutex write_mu_;
  std::unique_ptr<SqlSession> writer_;  // guarded by write_mu_
};

// Parses a signed checkpoint note into a head (syntax only: the signature
// is the reader's to check against the key it trusts).
Result<LogHead> parse_log_head(std::string_view note);

}  // namespace safehouse::store

#endif  // SAFEHOUSE_STORE_LOG_STORE_H_
