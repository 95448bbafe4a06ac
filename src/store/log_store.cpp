// SPDX-License-Identifier: AGPL-3.0-or-later
// store/log_store.cpp: appends as one locked transaction over SqlTileStore;
// the log's arithmetic is tlog::TileLog's.
#include "store/log_store.h"

#include "store/postgres_store.h"
#include "store/sql_store_impl.h"
#include "store/sql_tile_store.h"
#include "store/sqlite_store.h"
#include "tlog/tile_log.h"

namespace safehouse::store {
namespace {

constexpr const char* kLogLock = "tlog";

std::string text_of(ByteSpan bytes) {
  return std::string(bytes.begin(), bytes.end());
}

Result<LogHead> read_head(tlog::TileStore& tiles) {
  auto note = tiles.read(tlog::kCheckpointPath);
  if (!note) {
    if (note.error().code() == ErrorCode::kNotFound) {
      return Error(ErrorCode::kNotFound,
                   "log: no checkpoint (the log is created by `safehouse init`)");
    }
    return note.error();
  }
  return parse_log_head(text_of(*note));
}

Result<LogHead> publish(tlog::TileStore& tiles, tlog::Checkpoint checkpoint,
                        const tlog::NoteSigner& signer) {
  const tlog::NoteSigner* signers[] = {&signer};
  std::string note = SAFEHOUSE_TRY(tlog::sign_note(tlog::format_checkpoint(checkpoint), signers));
  SAFEHOUSE_TRY_VOID(tiles.write(tlog::kCheckpointPath, as_bytes(note)));
  return LogHead{std::move(checkpoint), std::move(note)};
}

}  // namespace

Result<LogHead> parse_log_head(std::string_view note) {
  auto parsed = tlog::parse_note(note);
  if (!parsed) return parsed.error().with_context("log checkpoint");
  auto checkpoint = tlog::parse_checkpoint(parsed->text);
  if (!checkpoint) return checkpoint.error().with_context("log checkpoint");
  return LogHead{std::move(*checkpoint), std::string(note)};
}

LogStore::LogStore(std::unique_ptr<detail::SqlEngine> engine) : engine_(std::move(engine)) {}
LogStore::~LogStore() = default;

Result<std::unique_ptr<LogStore>> LogStore::open(const std::filesystem::path& dir,
                                                 const std::string& database, FileSystem& fs) {
  std::unique_ptr<detail::SqlEngine> engine;
  if (database.empty()) {
    SAFEHOUSE_TRY_VOID(fs.create_directories(dir));
    engine = SAFEHOUSE_TRY(detail::sqlite_engine(dir, fs, std::chrono::seconds(5)));
  } else if (is_postgres_url(database)) {
    engine = detail::postgres_engine(database, 5);
  } else {
    return invalid_argument("database: must be empty (SQLite) or a postgresql:// URL");
  }
  std::unique_ptr<LogStore> log(new LogStore(std::move(engine)));
  {
    std::lock_guard lock(log->write_mu_);
    SqlSession* db = SAFEHOUSE_TRY(log->session(log->writer_, true));
    auto migrated = detail::migrate_schema(*db, *log->engine_);
    if (!migrated) return migrated.error().with_context("log");
  }
  return log;
}

Result<SqlSession*> LogStore::session(std::unique_ptr<SqlSession>& slot, bool writer) {
  if (!slot || slot->broken()) {
    auto connected = engine_->connect(writer);
    if (!connected) return connected.error().with_context("log: " + engine_->describe());
    slot = std::move(*connected);
  }
  return slot.get();
}

Result<Bytes> LogStore::read(std::string_view path) {
  std::lock_guard lock(read_mu_);
  SqlSession* db = SAFEHOUSE_TRY(session(reader_, false));
  SqlTileStore tiles(*db);
  return tiles.read(path);
}

Result<LogHead> LogStore::head() {
  std::lock_guard lock(read_mu_);
  SqlSession* db = SAFEHOUSE_TRY(session(reader_, false));
  SqlTileStore tiles(*db);
  return read_head(tiles);
}

template <typename T, typename Work>
Result<T> LogStore::locked(Work&& work) {
  std::lock_guard lock(write_mu_);
  SqlSession* db = SAFEHOUSE_TRY(session(writer_, true));
  SAFEHOUSE_TRY_VOID(engine_->begin(*db));
  auto done = [&]() -> Result<T> {
    // Every process appending to this database queues here: the checkpoint
    // read below is the one the previous append committed.
    SAFEHOUSE_TRY_VOID(engine_->lock_exclusive(*db, kLogLock));
    SqlTileStore tiles(*db);
    T value = SAFEHOUSE_TRY(work(tiles));
    SAFEHOUSE_TRY_VOID(db->exec("COMMIT"));
    engine_->after_commit();  // file times: the day only (invariant 2)
    return value;
  }();
  if (!done) (void)db->exec("ROLLBACK");
  return done;
}

Result<LogHead> LogStore::create(std::string_view origin, const tlog::NoteSigner& signer) {
  return locked<LogHead>([&](SqlTileStore& tiles) -> Result<LogHead> {
    auto existing = read_head(tiles);
    if (existing || existing.error().code() != ErrorCode::kNotFound) return existing;
    tlog::Checkpoint empty;
    empty.origin = std::string(origin);
    empty.size = 0;
    empty.root = tlog::empty_root();
    return publish(tiles, std::move(empty), signer);
  });
}

Result<LogAppended> LogStore::append(std::span<const Bytes> entries,
                                     const tlog::NoteSigner& signer) {
  return locked<LogAppended>([&](SqlTileStore& tiles) -> Result<LogAppended> {
    LogHead head = SAFEHOUSE_TRY(read_head(tiles));
    auto log = tlog::TileLog::open(tiles, head.checkpoint.size, head.checkpoint.root);
    if (!log) return log.error().with_context("log");
    const std::uint64_t first = log->size();
    SAFEHOUSE_TRY_VOID(log->append(entries));
    tlog::Checkpoint next = head.checkpoint;
    next.size = log->size();
    next.root = SAFEHOUSE_TRY(log->root());
    LogHead published = SAFEHOUSE_TRY(publish(tiles, std::move(next), signer));
    return LogAppended{first, std::move(published)};
  });
}

Result<LogAppended> LogStore::append_with(const ChooseEntries& entries, const AfterAppend& after,
                                          const tlog::NoteSigner& signer) {
  return locked<LogAppended>([&](SqlTileStore& tiles) -> Result<LogAppended> {
    SqlSession& db = tiles.session();
    LogHead head = SAFEHOUSE_TRY(read_head(tiles));
    const std::vector<Bytes> chosen = SAFEHOUSE_TRY(entries(db, head));
    LogAppended appended{head.checkpoint.size, head};
    if (!chosen.empty()) {
      auto log = tlog::TileLog::open(tiles, head.checkpoint.size, head.checkpoint.root);
      if (!log) return log.error().with_context("log");
      SAFEHOUSE_TRY_VOID(log->append(chosen));
      tlog::Checkpoint next = head.checkpoint;
      next.size = log->size();
      next.root = SAFEHOUSE_TRY(log->root());
      appended.head = SAFEHOUSE_TRY(publish(tiles, std::move(next), signer));
    }
    SAFEHOUSE_TRY_VOID(after(db, appended));
    return appended;
  });
}

Result<void> LogStore::update(
    const std::function<Result<void>(SqlSession&, const LogHead&)>& work) {
  auto done = locked<bool>([&](SqlTileStore& tiles) -> Result<bool> {
    const LogHead head = SAFEHOUSE_TRY(read_head(tiles));
    SAFEHOUSE_TRY_VOID(work(tiles.session(), head));
    return true;
  });
  if (!done) return done.error();
  return {};
}

Result<void> LogStore::read_with(const std::function<Result<void>(SqlSession&)>& work) {
  std::lock_guard lock(read_mu_);
  SqlSession* db = SAFEHOUSE_TRY(session(reader_, false));
  return work(*db);
}

Result<void> LogStore::save_cosignature(const LogCosignature& cosignature) {
  std::lock_guard lock(write_mu_);
  SqlSession* db = SAFEHOUSE_TRY(session(writer_, true));
  // One statement: atomic on both engines; never moves a witness backwards.
  return db->exec(
      "INSERT INTO log_cosignatures (witness, size, checkpoint, signatures) VALUES (?, ?, ?, ?) "
      "ON CONFLICT (witness) DO UPDATE SET size = excluded.size, checkpoint = "
      "excluded.checkpoint, signatures = excluded.signatures "
      "WHERE log_cosignatures.size <= excluded.size",
      {std::string_view(cosignature.witness), static_cast<std::int64_t>(cosignature.size),
       std::string_view(cosignature.checkpoint), std::string_view(cosignature.signatures)});
}

Result<std::vector<LogCosignature>> LogStore::cosignatures() {
  std::lock_guard lock(read_mu_);
  SqlSession* db = SAFEHOUSE_TRY(session(reader_, false));
  SqlRows rows = SAFEHOUSE_TRY(db->query(
      "SELECT witness, size, checkpoint, signatures FROM log_cosignatures ORDER BY witness"));
  std::vector<LogCosignature> out;
  for (const SqlRow& row : rows) {
    out.push_back(LogCosignature{std::string(row.text(0)),
                                 static_cast<std::uint64_t>(row.integer(1)),
                                 std::string(row.text(2)), std::string(row.text(3))});
  }
  return out;
}

Result<Bytes> LogStore::cosigned_checkpoint() {
  Bytes note = SAFEHOUSE_TRY(read(tlog::kCheckpointPath));
  auto parsed = tlog::parse_note(text_of(note));
  if (!parsed) return parsed.error().with_context("log checkpoint");
  std::vector<LogCosignature> all = SAFEHOUSE_TRY(cosignatures());
  std::vector<tlog::NoteSignature> extra;
  for (const LogCosignature& cosignature : all) {
    if (cosignature.checkpoint != parsed->text) continue;
    auto lines = tlog::parse_signature_lines(cosignature.signatures);
    if (!lines) continue;  // saved only after it parsed and verified
    extra.insert(extra.end(), lines->begin(), lines->end());
  }
  if (extra.empty()) return note;
  std::string cosigned = SAFEHOUSE_TRY(tlog::add_signatures(text_of(note), extra));
  return Bytes(cosigned.begin(), cosigned.end());
}

}  // namespace safehouse::store
