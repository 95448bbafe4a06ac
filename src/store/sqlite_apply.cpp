// SPDX-License-Identifier: AGPL-3.0-or-later
// store/sqlite_apply.cpp: turning WriteBatch operations into SQL inside the
// writer's transaction. Each function returns the id it assigned (or 0).
#include <string>

#include "store/sqlite_store_impl.h"

namespace safehouse::store::detail {
namespace {

struct Applier {
  Connection& db;
  const PendingBatch& pending;
  const std::vector<std::int64_t>& ids;  // ids assigned so far in this batch
  std::size_t index;

  Result<std::int64_t> operator()(const CreateSource& op) const {
    auto stmt = SAFEHOUSE_TRY(
        db.prepare("INSERT INTO sources (source_id, alias, created_day, reply_recipient) "
                   "VALUES (?, ?, ?, ?)"));
    auto done = stmt.bind(1, ByteSpan(op.source_id))
                    .bind(2, op.alias)
                    .bind(3, op.day)
                    .bind(4, op.reply_recipient)
                    .run();
    if (!done) {
      if (done.error().code() == ErrorCode::kConflict) {
        return Error(ErrorCode::kConflict, "create source: the source exists");
      }
      return done.error();
    }
    return 0;
  }

  Result<std::int64_t> operator()(const CreateCase& op) const {
    auto stmt = SAFEHOUSE_TRY(
        db.prepare("INSERT INTO cases (source_id, status, created_day, last_event_day, "
                   "item_count) VALUES (?, 'received', ?, ?, 0)"));
    auto done = stmt.bind(1, ByteSpan(op.source_id)).bind(2, op.day).bind(3, op.day).run();
    if (!done) {
      if (done.error().code() == ErrorCode::kNotFound) {
        return Error(ErrorCode::kNotFound, "create case: no such source");
      }
      return done.error();
    }
    return sqlite3_last_insert_rowid(db.handle());
  }

  Result<std::int64_t> operator()(const AddItem& op) const {
    CaseId case_id =
        op.case_ref.is_existing() ? op.case_ref.case_id() : ids[op.case_ref.op_index()];
    const auto* inline_body = std::get_if<InlineBody>(&op.body);
    Sha256 digest = inline_body ? pending.digests[index] : std::get<BlobRef>(op.body).sha256;
    std::uint64_t size =
        inline_body ? inline_body->ciphertext.size() : std::get<BlobRef>(op.body).size;
    {
      auto stmt = SAFEHOUSE_TRY(
          db.prepare("INSERT INTO items (case_id, direction, sha256, ciphertext_size, day, "
                     "in_blob, inline_body) VALUES (?, ?, ?, ?, ?, ?, ?)"));
      stmt.bind(1, case_id)
          .bind(2, direction_name(op.direction))
          .bind(3, ByteSpan(digest))
          .bind(4, static_cast<std::int64_t>(size))
          .bind(5, op.day)
          .bind(6, std::int64_t{inline_body ? 0 : 1});
      if (inline_body) {
        stmt.bind(7, ByteSpan(inline_body->ciphertext));
      } else {
        stmt.bind_null(7);
      }
      auto done = stmt.run();
      if (!done) {
        if (done.error().code() == ErrorCode::kNotFound) {
          return Error(ErrorCode::kNotFound, "add item: no such case");
        }
        return done.error();
      }
    }
    ItemId item_id = sqlite3_last_insert_rowid(db.handle());
    auto update =
        SAFEHOUSE_TRY(db.prepare("UPDATE cases SET item_count = item_count + 1, "
                                 "last_event_day = max(last_event_day, ?) WHERE case_id = ?"));
    SAFEHOUSE_TRY_VOID(update.bind(1, op.day).bind(2, case_id).run());
    return item_id;
  }

  Result<std::int64_t> operator()(const SetCaseStatus& op) const {
    auto stmt = SAFEHOUSE_TRY(
        db.prepare("UPDATE cases SET status = ?, last_event_day = max(last_event_day, ?) "
                   "WHERE case_id = ?"));
    SAFEHOUSE_TRY_VOID(
        stmt.bind(1, status_name(op.status)).bind(2, op.day).bind(3, op.case_id).run());
    if (sqlite3_changes(db.handle()) == 0) {
      return Error(ErrorCode::kNotFound, "set case status: no such case");
    }
    return 0;
  }

  Result<std::int64_t> operator()(const PutSetting& op) const {
    auto stmt =
        SAFEHOUSE_TRY(db.prepare("INSERT INTO settings (key, value) VALUES (?, ?) "
                                 "ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
    SAFEHOUSE_TRY_VOID(stmt.bind(1, op.key).bind(2, ByteSpan(op.value)).run());
    return 0;
  }
};

}  // namespace

Result<CommitResult> apply_batch(Connection& db, const PendingBatch& pending) {
  CommitResult result;
  const auto& ops = pending.batch.operations();
  result.ids.reserve(ops.size());
  for (std::size_t i = 0; i < ops.size(); ++i) {
    auto id = std::visit(Applier{db, pending, result.ids, i}, ops[i]);
    if (!id) return id.error().with_context("operation " + std::to_string(i));
    result.ids.push_back(*id);
  }
  return result;
}

}  // namespace safehouse::store::detail
