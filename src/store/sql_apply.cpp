// SPDX-License-Identifier: AGPL-3.0-or-later
// store/sql_apply.cpp: turning WriteBatch operations into SQL inside the
// writer's transaction, once for every engine. Each function returns the id
// it assigned (or 0).
#include <string>

#include "store/sql_store_impl.h"
#include "store/workflow_records.h"

namespace safehouse::store::detail {
namespace {

// A constraint error `from` renamed for the caller; other errors as they are.
Error explain(const Error& from, ErrorCode code, const char* message) {
  return from.code() == code ? Error(code, message) : from;
}

struct Applier {
  SqlSession& db;
  SqlEngine& engine;
  const PendingBatch& pending;
  const std::vector<std::int64_t>& ids;  // ids assigned so far in this batch
  std::size_t index;

  Result<std::int64_t> operator()(const CreateSource& op) const {
    auto done = db.exec(
        "INSERT INTO sources (source_id, alias, created_day, reply_recipient, signing_key) "
        "VALUES (?, ?, ?, ?, ?)",
        {ByteSpan(op.source_id), op.alias, op.day, op.reply_recipient,
         op.signing_key.empty() ? SqlParam(nullptr) : SqlParam(ByteSpan(op.signing_key))});
    if (!done)
      return explain(done.error(), ErrorCode::kConflict, "create source: the source exists");
    return 0;
  }

  Result<std::int64_t> operator()(const CreateCase& op) const {
    auto row = db.query_one(
        "INSERT INTO cases (source_id, status, created_day, last_event_day, item_count, "
        "audit_consent) VALUES (?, 'received', ?, ?, 0, ?) RETURNING case_id",
        {ByteSpan(op.source_id), op.day, op.day, std::int64_t{op.audit_consent ? 1 : 0}});
    if (!row) return explain(row.error(), ErrorCode::kNotFound, "create case: no such source");
    if (!*row) return Error(ErrorCode::kInternal, "create case: no id returned");
    const CaseId case_id = (*row)->integer(0);
    // Event 1 of every case: its "received" (docs/reviewing.md).
    SAFEHOUSE_TRY_VOID(
        db.exec("INSERT INTO case_events (case_id, event_number, day, status) "
                "VALUES (?, 1, ?, 'received')",
                {case_id, op.day}));
    return case_id;
  }

  Result<std::int64_t> operator()(const AddItem& op) const {
    CaseId case_id =
        op.case_ref.is_existing() ? op.case_ref.case_id() : ids[op.case_ref.op_index()];
    const auto* inline_body = std::get_if<InlineBody>(&op.body);
    Sha256 digest = inline_body ? pending.digests[index] : std::get<BlobRef>(op.body).sha256;
    std::uint64_t size =
        inline_body ? inline_body->ciphertext.size() : std::get<BlobRef>(op.body).size;
    auto row = db.query_one(
        "INSERT INTO items (case_id, direction, sha256, ciphertext_size, day, in_blob, "
        "inline_body) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING item_id",
        {case_id, direction_name(op.direction), ByteSpan(digest), static_cast<std::int64_t>(size),
         op.day, inline_body ? 0 : 1,
         inline_body ? SqlParam(ByteSpan(inline_body->ciphertext)) : SqlParam()});
    if (!row) return explain(row.error(), ErrorCode::kNotFound, "add item: no such case");
    if (!*row) return Error(ErrorCode::kInternal, "add item: no id returned");
    ItemId item_id = (*row)->integer(0);
    SAFEHOUSE_TRY_VOID(
        db.exec("UPDATE cases SET item_count = item_count + 1, last_event_day = "
                "CASE WHEN last_event_day < ?1 THEN ?1 ELSE last_event_day END WHERE case_id = ?2",
                {op.day, case_id}));
    return item_id;
  }

  Result<std::int64_t> operator()(const SetCaseStatus& op) const {
    return append_case_event(db, op.case_id, op.status, op.day);
  }

  Result<std::int64_t> operator()(const PutSetting& op) const {
    SAFEHOUSE_TRY_VOID(
        db.exec("INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                {op.key, ByteSpan(op.value)}));
    return 0;
  }

  Result<std::int64_t> operator()(const RunExclusive& op) const {
    SAFEHOUSE_TRY_VOID(engine.lock_exclusive(db, op.lock));
    return op.run(db);
  }
};

}  // namespace

Result<CommitResult> apply_batch(SqlSession& db, SqlEngine& engine, const PendingBatch& pending) {
  CommitResult result;
  const auto& ops = pending.batch.operations();
  result.ids.reserve(ops.size());
  for (std::size_t i = 0; i < ops.size(); ++i) {
    auto id = std::visit(Applier{db, engine, pending, result.ids, i}, ops[i]);
    if (!id) return id.error().with_context("operation " + std::to_string(i));
    result.ids.push_back(*id);
  }
  return result;
}

}  // namespace safehouse::store::detail
