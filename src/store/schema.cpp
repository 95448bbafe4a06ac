// SPDX-License-Identifier: AGPL-3.0-or-later
// store/schema.cpp: the schema of every engine, as one versioned list of
// migrations applied in order at start (docs/storage.md, "Schema" and "One
// SQL for both engines"). A database whose version is newer than this
// binary's is refused. Keep the tables' description in docs/storage.md in
// step with this list.
#include <string>

#include "store/sql_store_impl.h"

namespace safehouse::store::detail {
namespace {

struct Migration {
  std::int64_t version;
  // Engine-neutral SQL; {blob}, {int}, {id} and {strict} are spelled per
  // engine by spell_types(). Never edit a released migration: add one.
  const char* sql;
};

// The settings table holds the schema version itself, so it exists before
// any migration runs.
constexpr const char* kSettingsTable = R"sql(
CREATE TABLE IF NOT EXISTS settings (
  key   TEXT PRIMARY KEY,
  value {blob} NOT NULL
){strict};
)sql";

// Days are YYYYMMDD integers; there is deliberately no column for a finer
// time (invariant 2). SQLite tables are STRICT: declared types enforced.
constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE IF NOT EXISTS sources (
  source_id   {blob} PRIMARY KEY CHECK (length(source_id) = 32),
  alias       TEXT NOT NULL,
  created_day {int} NOT NULL,
  reply_recipient TEXT NOT NULL DEFAULT ''
){strict};
CREATE TABLE IF NOT EXISTS cases (
  case_id        {id},
  source_id      {blob} NOT NULL REFERENCES sources (source_id),
  status         TEXT NOT NULL CHECK (status IN ('received', 'triage', 'verifying',
                   'needs-info', 'corroborated', 'verified', 'duplicate', 'rejected',
                   'suspected-infiltration', 'withdrawn', 'purged')),
  created_day    {int} NOT NULL,
  last_event_day {int} NOT NULL,
  item_count     {int} NOT NULL DEFAULT 0
){strict};
CREATE INDEX IF NOT EXISTS cases_by_source ON cases (source_id, case_id);
CREATE INDEX IF NOT EXISTS cases_by_status ON cases (status, case_id);
CREATE TABLE IF NOT EXISTS items (
  item_id         {id},
  case_id         {int} NOT NULL REFERENCES cases (case_id),
  direction       TEXT NOT NULL CHECK (direction IN ('source', 'reviewer')),
  sha256          {blob} NOT NULL CHECK (length(sha256) = 32),
  ciphertext_size {int} NOT NULL CHECK (ciphertext_size > 0),
  day             {int} NOT NULL,
  in_blob         {int} NOT NULL CHECK (in_blob IN (0, 1)),
  inline_body     {blob},
  CHECK ((in_blob = 1) = (inline_body IS NULL))
){strict};
CREATE INDEX IF NOT EXISTS items_by_case ON items (case_id, item_id);
)sql"},
    // The PostgreSQL blob engine (store/pg_blob_store.h): a blob's bytes in
    // numbered chunks, its row in blobs written with the last chunk. Ids are
    // random, not a sequence, so both engines spell them alike.
    {2, R"sql(
CREATE TABLE blobs (
  sha256  {blob} PRIMARY KEY CHECK (length(sha256) = 32),
  size    {int} NOT NULL CHECK (size >= 0),
  blob_id {int} NOT NULL UNIQUE
){strict};
CREATE TABLE blob_chunks (
  blob_id {int} NOT NULL,
  chunk   {int} NOT NULL,
  data    {blob} NOT NULL,
  PRIMARY KEY (blob_id, chunk)
){strict};
)sql"},
    // The transparency log (docs/tlog.md, "The log in the database"): its
    // tiles, entry bundles and checkpoint by tlog-tiles path, shared by every
    // server on the database.
    {3, R"sql(
CREATE TABLE IF NOT EXISTS log_tiles (
  path TEXT PRIMARY KEY,
  data {blob} NOT NULL
){strict};
)sql"},
    // The verification workflow (docs/reviewing.md): reviewers' public keys,
    // case events (what the transparency log will publish), signed
    // approvals, and the hash-chained audit log. Cases that existed before
    // get their first event from their current status.
    {4, R"sql(
CREATE TABLE IF NOT EXISTS reviewers (
  reviewer_id  {id},
  name         TEXT NOT NULL UNIQUE,
  recipient    TEXT NOT NULL UNIQUE,
  signing_key  {blob} NOT NULL UNIQUE CHECK (length(signing_key) = 32),
  added_day    {int} NOT NULL,
  removed_day  {int}
){strict};
CREATE TABLE IF NOT EXISTS case_events (
  case_id      {int} NOT NULL REFERENCES cases (case_id),
  event_number {int} NOT NULL CHECK (event_number >= 1),
  day          {int} NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('received', 'triage', 'verifying',
                 'needs-info', 'corroborated', 'verified', 'duplicate', 'rejected',
                 'suspected-infiltration', 'withdrawn', 'purged')),
  PRIMARY KEY (case_id, event_number)
){strict};
INSERT INTO case_events (case_id, event_number, day, status)
  SELECT case_id, 1, last_event_day, status FROM cases;
CREATE TABLE IF NOT EXISTS approvals (
  approval_id  {id},
  case_id      {int} NOT NULL REFERENCES cases (case_id),
  event_number {int} NOT NULL,
  from_status  TEXT NOT NULL,
  to_status    TEXT NOT NULL,
  reviewer_id  {int} NOT NULL REFERENCES reviewers (reviewer_id),
  day          {int} NOT NULL,
  signature    {blob} NOT NULL CHECK (length(signature) = 64),
  UNIQUE (case_id, event_number, to_status, reviewer_id)
){strict};
CREATE TABLE IF NOT EXISTS audit_log (
  seq          {int} PRIMARY KEY,
  day          {int} NOT NULL,
  actor        TEXT NOT NULL,
  action       TEXT NOT NULL,
  case_id      {int} NOT NULL,
  detail       TEXT NOT NULL,
  prev_hash    {blob} NOT NULL,
  hash         {blob} NOT NULL
){strict};
)sql"},
    // Witnesses' cosignatures of the log's checkpoints (docs/tlog.md,
    // "Witnesses"): per witness key, the latest checkpoint it cosigned and
    // its cosignature lines, served with /log/checkpoint. Public data: the
    // cosignature's time is the witness's, as every reader of the log sees.
    {5, R"sql(
CREATE TABLE IF NOT EXISTS log_cosignatures (
  witness     TEXT PRIMARY KEY,
  size        {int} NOT NULL CHECK (size >= 0),
  checkpoint  TEXT NOT NULL,
  signatures  TEXT NOT NULL
){strict};
)sql"},
    // Duplicate links (docs/reviewing.md, "Duplicates"): which case a case
    // was marked a duplicate of, by the event that moved it to duplicate.
    {6, R"sql(
CREATE TABLE IF NOT EXISTS case_links (
  case_id      {int} NOT NULL REFERENCES cases (case_id),
  duplicate_of {int} NOT NULL REFERENCES cases (case_id),
  event_number {int} NOT NULL,
  day          {int} NOT NULL,
  PRIMARY KEY (case_id, event_number),
  CHECK (case_id <> duplicate_of)
){strict};
CREATE INDEX IF NOT EXISTS case_links_by_original ON case_links (duplicate_of, case_id);
)sql"},
    // Reviewers' staff-listener accounts (docs/reviewing.md, "Staff
    // accounts"): the enrolment token only as a hash, the verifier of the
    // browser's authentication key, the identity as the browser encrypted
    // it, the sealed TOTP secret, failed logins and the lock. Days only.
    {7, R"sql(
CREATE TABLE IF NOT EXISTS reviewer_accounts (
  reviewer_id      {int} PRIMARY KEY REFERENCES reviewers (reviewer_id),
  enrol_token_hash {blob} UNIQUE CHECK (enrol_token_hash IS NULL OR length(enrol_token_hash) = 32),
  enrol_until_day  {int} NOT NULL,
  keys_replaceable {int} NOT NULL CHECK (keys_replaceable IN (0, 1)),
  enrolled_day     {int},
  auth_verifier    {blob} CHECK (auth_verifier IS NULL OR length(auth_verifier) = 32),
  identity_box     {blob},
  totp_box         {blob},
  failed_logins    {int} NOT NULL DEFAULT 0,
  locked           {int} NOT NULL DEFAULT 0 CHECK (locked IN (0, 1))
){strict};
)sql"},
    // What the transparency log publishes (docs/tlog.md, "Case events in the
    // log"): each case's category ('' until a reviewer files it); for each
    // case event in the log, its index and the opening of its category
    // commitment (category and nonce); the accredited observers (public
    // keys only) and the openings sealed to each; published statements and
    // the observers' cosignatures of them.
    {8, R"sql(
ALTER TABLE cases ADD COLUMN category TEXT NOT NULL DEFAULT '';
CREATE TABLE IF NOT EXISTS log_case_entries (
  case_id      {int} NOT NULL,
  event_number {int} NOT NULL,
  log_index    {int} NOT NULL UNIQUE,
  category     TEXT NOT NULL,
  nonce        {blob} NOT NULL CHECK (length(nonce) = 32),
  PRIMARY KEY (case_id, event_number)
){strict};
CREATE TABLE IF NOT EXISTS observers (
  name         TEXT PRIMARY KEY,
  recipient    TEXT NOT NULL UNIQUE,
  verifier_key TEXT NOT NULL UNIQUE,
  added_day    {int} NOT NULL
){strict};
CREATE TABLE IF NOT EXISTS observer_openings (
  name         TEXT PRIMARY KEY,
  log_size     {int} NOT NULL,
  data         {blob} NOT NULL
){strict};
CREATE TABLE IF NOT EXISTS statements (
  statement_id {id},
  day          {int} NOT NULL,
  note         TEXT NOT NULL
){strict};
CREATE TABLE IF NOT EXISTS statement_cosignatures (
  statement_id {int} NOT NULL REFERENCES statements (statement_id),
  signer       TEXT NOT NULL,
  line         TEXT NOT NULL,
  PRIMARY KEY (statement_id, signer)
){strict};
)sql"},
    // The JavaScript client (docs/web-client.md): a source registered by the
    // browser proves its codename by signing a challenge with this Ed25519
    // public key (the codename's, derived in the browser); NULL for sources
    // of the no-JavaScript pages. A public key: no plaintext, no identity.
    {9, R"sql(
ALTER TABLE sources ADD COLUMN signing_key {blob}
  CHECK (signing_key IS NULL OR length(signing_key) = 32);
)sql"},
    // Assessments (docs/reviewing.md, "The workspace"): each version sealed
    // in the browser (age, to the reviewers); in clear only the grade —
    // reliability A-F, credibility 1-6 — which the case list files and
    // filters by, as it does the category. cases.grade is the latest.
    {10, R"sql(
ALTER TABLE cases ADD COLUMN grade TEXT NOT NULL DEFAULT '';
CREATE TABLE IF NOT EXISTS assessments (
  case_id      {int} NOT NULL REFERENCES cases (case_id),
  version      {int} NOT NULL CHECK (version >= 1),
  reviewer_id  {int} NOT NULL REFERENCES reviewers (reviewer_id),
  reliability  TEXT NOT NULL CHECK (reliability IN ('A', 'B', 'C', 'D', 'E', 'F')),
  credibility  {int} NOT NULL CHECK (credibility BETWEEN 1 AND 6),
  day          {int} NOT NULL,
  sealed       {blob} NOT NULL,
  PRIMARY KEY (case_id, version)
){strict};
)sql"},
    // Publication copies (docs/reviewing.md, "Publication copies"): a file
    // item's copy with its metadata removed by mat2 on the reviewer's
    // machine, sealed (age) to the recipient set, its ciphertext a blob;
    // linked to the original item, which stays the evidence.
    {12, R"sql(
CREATE TABLE IF NOT EXISTS publication_copies (
  copy_id         {id},
  case_id         {int} NOT NULL REFERENCES cases (case_id),
  item_id         {int} NOT NULL REFERENCES items (item_id),
  reviewer_id     {int} NOT NULL REFERENCES reviewers (reviewer_id),
  sha256          {blob} NOT NULL CHECK (length(sha256) = 32),
  ciphertext_size {int} NOT NULL CHECK (ciphertext_size > 0),
  day             {int} NOT NULL
){strict};
CREATE INDEX IF NOT EXISTS publication_copies_by_case ON publication_copies (case_id, copy_id);
)sql"},
    // Grants (docs/reviewing.md, "Granting a reviewer existing cases"): each
    // item, assessment version or publication copy that a reviewer rewrapped
    // for another reviewer (one more age stanza, the payload untouched). Its
    // ciphertext, and so its SHA-256, changed: the old digest stays here so
    // that a check citing it still finds its object. Digests only.
    {13, R"sql(
CREATE TABLE IF NOT EXISTS grants (
  grant_id     {id},
  case_id      {int} NOT NULL REFERENCES cases (case_id),
  kind         TEXT NOT NULL CHECK (kind IN ('item', 'assessment', 'copy')),
  object_id    {int} NOT NULL,
  reviewer_id  {int} NOT NULL REFERENCES reviewers (reviewer_id),
  granted_by   {int} NOT NULL REFERENCES reviewers (reviewer_id),
  old_sha256   {blob} NOT NULL CHECK (length(old_sha256) = 32),
  new_sha256   {blob} NOT NULL CHECK (length(new_sha256) = 32),
  day          {int} NOT NULL
){strict};
CREATE INDEX IF NOT EXISTS grants_by_case ON grants (case_id, kind, object_id);
)sql"},
    // A source's consent, given at first contact, to an accredited observer
    // reading their case for a sampled audit (docs/tlog.md, "Sampled
    // audits"). 0 = no consent (unticked, absent, every older case); it
    // cannot be withdrawn, so nothing ever sets it back. Each logged event
    // keeps the consent as it was when the event was published: the
    // openings sealed to observers carry that, so a consent written into
    // cases later does not reach events already in the log.
    {14, R"sql(
ALTER TABLE cases ADD COLUMN audit_consent {int} NOT NULL DEFAULT 0
  CHECK (audit_consent IN (0, 1));
ALTER TABLE log_case_entries ADD COLUMN audit_consent {int} NOT NULL DEFAULT 0
  CHECK (audit_consent IN (0, 1));
)sql"},
};

}  // namespace

std::int64_t latest_schema_version() {
  return std::end(kMigrations)[-1].version;
}

Result<void> migrate_schema(SqlSession& db, SqlEngine& engine) {
  const SqlDialect dialect = db.dialect();
  SAFEHOUSE_TRY_VOID(engine.begin(db));
  auto migrated = [&]() -> Result<void> {
    // Two servers starting at once: one migrates, the other waits here and
    // then finds the work done.
    SAFEHOUSE_TRY_VOID(engine.lock_exclusive(db, "schema"));
    SAFEHOUSE_TRY_VOID(db.exec_script(spell_types(kSettingsTable, dialect)));
    auto row =
        SAFEHOUSE_TRY(db.query_one("SELECT value FROM settings WHERE key = 'schema_version'"));
    std::int64_t version = 0;
    if (row) {
      ByteSpan value = row->blob(0);
      const std::string text(value.begin(), value.end());
      std::size_t used = 0;
      try {
        version = std::stoll(text, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0 || used != text.size() || version < 1) {
        return Error(ErrorCode::kIntegrity, "schema version '" + text + "' is not a number");
      }
    }
    const std::int64_t latest = latest_schema_version();
    if (version > latest) {
      return Error(ErrorCode::kUnsupported,
                   "schema version " + std::to_string(version) +
                       " is not supported: the database is newer than this binary (which knows "
                       "up to " +
                       std::to_string(latest) + "); upgrade Safehouse");
    }
    for (const Migration& migration : kMigrations) {
      if (migration.version <= version) continue;
      auto applied = db.exec_script(spell_types(migration.sql, dialect));
      if (!applied) {
        return applied.error().with_context("migration " + std::to_string(migration.version));
      }
    }
    if (version == latest) return {};
    const std::string text = std::to_string(latest);
    return db.exec(
        "INSERT INTO settings (key, value) VALUES ('schema_version', ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        {as_bytes(text)});
  }();
  if (!migrated) {
    (void)db.exec("ROLLBACK");
    return migrated.error().with_context("schema");
  }
  return db.exec("COMMIT");
}

}  // namespace safehouse::store::detail
