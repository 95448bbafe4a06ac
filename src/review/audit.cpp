// SPDX-License-Identifier: AGPL-3.0-or-later
// review/audit.cpp: appending to and verifying the hash-chained audit log.
#include "review/audit.h"

#include <string_view>

#include "crypto/sha256.h"

namespace safehouse::review {
namespace {

constexpr std::string_view kDomain = "safehouse/audit/v1";
// The lock every appender holds (WriteBatch::run_exclusive): one entry
// after another, no forks.
constexpr const char* kAuditLock = "audit";

void put_u64(crypto::Sha256& hasher, std::uint64_t value) {
  std::uint8_t bytes[8];
  for (int i = 7; i >= 0; --i, value >>= 8) bytes[i] = static_cast<std::uint8_t>(value);
  hasher.update(bytes);
}

void put_field(crypto::Sha256& hasher, std::string_view text) {
  put_u64(hasher, text.size());
  hasher.update(as_bytes(text));
}

}  // namespace

store::Sha256 audit_entry_hash(const store::AuditRecord& e) {
  crypto::Sha256 hasher;
  put_field(hasher, kDomain);
  put_u64(hasher, static_cast<std::uint64_t>(e.seq));
  put_u64(hasher, static_cast<std::uint64_t>(e.day));
  put_field(hasher, e.actor);
  put_field(hasher, e.action);
  put_u64(hasher, static_cast<std::uint64_t>(e.case_id));
  put_field(hasher, e.detail);
  hasher.update(e.prev_hash);
  return hasher.finish();
}

Result<void> append_audit(store::SqlSession& db, const AuditAction& action, store::Day day) {
  const auto last = SAFEHOUSE_TRY(store::last_audit(db));
  store::AuditRecord entry;
  entry.seq = last ? last->seq + 1 : 1;
  entry.day = day;
  entry.actor = action.actor;
  entry.action = action.action;
  entry.case_id = action.case_id;
  entry.detail = action.detail;
  if (last) entry.prev_hash = last->hash;
  entry.hash = audit_entry_hash(entry);
  return store::insert_audit(db, entry);
}

void add_audit(store::WriteBatch& batch, AuditAction action, store::Day day) {
  batch.run_exclusive(
      kAuditLock, [action = std::move(action), day](store::SqlSession& db) -> Result<std::int64_t> {
        SAFEHOUSE_TRY_VOID(append_audit(db, action, day));
        return 0;
      });
}

Result<void> record_audit(store::Store& store, AuditAction action, store::Day day) {
  store::WriteBatch batch;
  add_audit(batch, std::move(action), day);
  auto committed = store.commit(std::move(batch));
  if (!committed) return committed.error().with_context("audit log");
  return {};
}

Result<void> commit_under_audit_lock(store::Store& store,
                                     const std::function<Result<void>(store::SqlSession&)>& run) {
  std::optional<Error> own;
  store::WriteBatch batch;
  batch.run_exclusive(kAuditLock, [&](store::SqlSession& db) -> Result<std::int64_t> {
    own.reset();
    auto ran = run(db);
    if (!ran) {
      own = ran.error();
      return ran.error();
    }
    return 0;
  });
  auto committed = store.commit(std::move(batch));
  if (!committed) return own.value_or(committed.error());
  return {};
}

Result<AuditReport> verify_audit(store::Store& store) {
  std::vector<store::AuditRecord> entries;
  std::optional<std::string> head;
  SAFEHOUSE_TRY_VOID(store.read([&](store::SqlSession& db) -> Result<void> {
    entries = SAFEHOUSE_TRY(store::list_audit(db));
    auto row = SAFEHOUSE_TRY(
        db.query_one("SELECT value FROM settings WHERE key = ?", {store::kAuditHeadSetting}));
    head.reset();
    if (row) head = std::string(row->blob(0).begin(), row->blob(0).end());
    return {};
  }));
  AuditReport report;
  report.entries = static_cast<std::int64_t>(entries.size());
  auto broken = [&](std::int64_t at, std::string why) {
    report.first_broken = at;
    report.reason = std::move(why);
    return report;
  };
  store::Sha256 previous{};
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const store::AuditRecord& e = entries[i];
    const auto expected = static_cast<std::int64_t>(i) + 1;
    if (e.seq != expected) {
      return broken(expected, "entry " + std::to_string(expected) + " is missing (next is " +
                                  std::to_string(e.seq) + ")");
    }
    if (e.prev_hash != previous) {
      return broken(e.seq, "entry " + std::to_string(e.seq) +
                               " does not follow the entry before it (deleted, inserted or "
                               "reordered entries)");
    }
    if (audit_entry_hash(e) != e.hash) {
      return broken(e.seq, "entry " + std::to_string(e.seq) + " was changed (hash mismatch)");
    }
    previous = e.hash;
  }
  const std::string expected_head =
      entries.empty() ? "" : std::to_string(entries.back().seq) + " " + store::to_hex(previous);
  if (head.value_or("") != expected_head) {
    const std::int64_t next = report.entries + 1;
    return broken(next, "the log ends before its recorded head (" + head.value_or("none") +
                            "): entries from " + std::to_string(next) + " on were deleted");
  }
  return report;
}

}  // namespace safehouse::review
