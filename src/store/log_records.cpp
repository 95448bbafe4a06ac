// SPDX-License-Identifier: AGPL-3.0-or-later
// store/log_records.cpp: engine-neutral SQL for the log's case entries,
// observers and statements (store/log_records.h).
#include "store/log_records.h"

#include <algorithm>

namespace safehouse::store {

Result<void> set_case_category(SqlSession& db, CaseId case_id, std::string_view category) {
  auto updated = SAFEHOUSE_TRY(db.query_one(
      "UPDATE cases SET category = ? WHERE case_id = ? RETURNING case_id", {category, case_id}));
  if (!updated)
    return Error(ErrorCode::kNotFound, "case " + std::to_string(case_id) + ": no such case");
  return {};
}

Result<std::string> case_category(SqlSession& db, CaseId case_id) {
  auto row = SAFEHOUSE_TRY(db.query_one("SELECT category FROM cases WHERE case_id = ?", {case_id}));
  if (!row)
    return Error(ErrorCode::kNotFound, "case " + std::to_string(case_id) + ": no such case");
  return std::string(row->text(0));
}

Result<std::vector<LogCaseEvent>> list_unpublished_events(SqlSession& db, Day through) {
  auto rows = SAFEHOUSE_TRY(db.query(
      "SELECT e.case_id, e.event_number, e.day, e.status, c.category, c.audit_consent "
      "FROM case_events e "
      "JOIN cases c ON c.case_id = e.case_id WHERE e.day <= ? AND NOT EXISTS (SELECT 1 FROM "
      "log_case_entries l WHERE l.case_id = e.case_id AND l.event_number = e.event_number) "
      "ORDER BY e.case_id, e.event_number",
      {through}));
  std::vector<LogCaseEvent> out;
  out.reserve(rows.size());
  for (const SqlRow& row : rows) {
    out.push_back({row.integer(0), row.integer(1), static_cast<Day>(row.integer(2)),
                   SAFEHOUSE_TRY(status_from_name(row.text(3))), std::string(row.text(4)),
                   row.integer(5) != 0});
  }
  return out;
}

Result<void> insert_logged_event(SqlSession& db, const LoggedCaseEvent& event) {
  return db.exec(
      "INSERT INTO log_case_entries (case_id, event_number, log_index, category, nonce, "
      "audit_consent) VALUES (?, ?, ?, ?, ?, ?)",
      {event.case_id, event.event_number, static_cast<std::int64_t>(event.log_index),
       event.category, ByteSpan(event.nonce), std::int64_t{event.audit_consent ? 1 : 0}});
}

Result<std::vector<LoggedCaseEvent>> list_logged_events(SqlSession& db, std::uint64_t size) {
  auto rows = SAFEHOUSE_TRY(db.query(
      "SELECT l.log_index, l.case_id, l.event_number, e.day, e.status, l.category, l.nonce, "
      "l.audit_consent FROM log_case_entries l JOIN case_events e ON e.case_id = l.case_id AND "
      "e.event_number = l.event_number WHERE l.log_index < ? ORDER BY l.log_index",
      {static_cast<std::int64_t>(size)}));
  std::vector<LoggedCaseEvent> out;
  out.reserve(rows.size());
  for (const SqlRow& row : rows) {
    LoggedCaseEvent event;
    event.log_index = static_cast<std::uint64_t>(row.integer(0));
    event.case_id = row.integer(1);
    event.event_number = row.integer(2);
    event.day = static_cast<Day>(row.integer(3));
    event.status = SAFEHOUSE_TRY(status_from_name(row.text(4)));
    event.category = std::string(row.text(5));
    const ByteSpan nonce = row.blob(6);
    if (nonce.size() != event.nonce.size()) {
      return Error(ErrorCode::kIntegrity, "store: a log entry's nonce is not 32 bytes");
    }
    std::copy(nonce.begin(), nonce.end(), event.nonce.begin());
    event.audit_consent = row.integer(7) != 0;
    out.push_back(std::move(event));
  }
  return out;
}

Result<void> insert_observer(SqlSession& db, const ObserverRecord& observer) {
  return db.exec(
      "INSERT INTO observers (name, recipient, verifier_key, added_day) VALUES (?, ?, ?, ?)",
      {observer.name, observer.recipient, observer.verifier_key, observer.added_day});
}

Result<void> delete_observer(SqlSession& db, std::string_view name) {
  auto deleted =
      SAFEHOUSE_TRY(db.query_one("DELETE FROM observers WHERE name = ? RETURNING name", {name}));
  if (!deleted) {
    return Error(ErrorCode::kNotFound, "observer " + std::string(name) + ": no such observer");
  }
  return db.exec("DELETE FROM observer_openings WHERE name = ?", {name});
}

Result<std::vector<ObserverRecord>> list_observers(SqlSession& db) {
  auto rows = SAFEHOUSE_TRY(
      db.query("SELECT name, recipient, verifier_key, added_day FROM observers ORDER BY name"));
  std::vector<ObserverRecord> out;
  for (const SqlRow& row : rows) {
    out.push_back({std::string(row.text(0)), std::string(row.text(1)), std::string(row.text(2)),
                   static_cast<Day>(row.integer(3))});
  }
  return out;
}

Result<void> put_observer_openings(SqlSession& db, std::string_view name, std::uint64_t log_size,
                                   ByteSpan sealed) {
  return db.exec(
      "INSERT INTO observer_openings (name, log_size, data) VALUES (?, ?, ?) ON CONFLICT (name) "
      "DO UPDATE SET log_size = excluded.log_size, data = excluded.data",
      {name, static_cast<std::int64_t>(log_size), sealed});
}

Result<Bytes> read_observer_openings(SqlSession& db, std::string_view name) {
  auto row =
      SAFEHOUSE_TRY(db.query_one("SELECT data FROM observer_openings WHERE name = ?", {name}));
  if (!row) {
    return Error(ErrorCode::kNotFound, "observer " + std::string(name) + ": no openings");
  }
  const ByteSpan data = row->blob(0);
  return Bytes(data.begin(), data.end());
}

Result<std::int64_t> insert_statement(SqlSession& db, Day day, std::string_view note) {
  auto row = SAFEHOUSE_TRY(db.query_one(
      "INSERT INTO statements (day, note) VALUES (?, ?) RETURNING statement_id", {day, note}));
  if (!row) return Error(ErrorCode::kIntegrity, "store: a statement got no id");
  return row->integer(0);
}

Result<std::vector<StatementRecord>> list_statements(SqlSession& db) {
  auto rows = SAFEHOUSE_TRY(
      db.query("SELECT statement_id, day, note FROM statements ORDER BY statement_id"));
  std::vector<StatementRecord> out;
  for (const SqlRow& row : rows) {
    out.push_back({row.integer(0), static_cast<Day>(row.integer(1)), std::string(row.text(2))});
  }
  return out;
}

Result<StatementRecord> find_statement(SqlSession& db, std::int64_t statement_id) {
  auto row = SAFEHOUSE_TRY(db.query_one(
      "SELECT statement_id, day, note FROM statements WHERE statement_id = ?", {statement_id}));
  if (!row) {
    return Error(ErrorCode::kNotFound,
                 "statement " + std::to_string(statement_id) + ": no such statement");
  }
  return StatementRecord{row->integer(0), static_cast<Day>(row->integer(1)),
                         std::string(row->text(2))};
}

Result<void> put_cosignature(SqlSession& db, std::int64_t statement_id, std::string_view signer,
                             std::string_view line) {
  return db.exec(
      "INSERT INTO statement_cosignatures (statement_id, signer, line) VALUES (?, ?, ?) "
      "ON CONFLICT (statement_id, signer) DO UPDATE SET line = excluded.line",
      {statement_id, signer, line});
}

Result<std::vector<std::string>> list_cosignatures(SqlSession& db, std::int64_t statement_id) {
  auto rows = SAFEHOUSE_TRY(
      db.query("SELECT line FROM statement_cosignatures WHERE statement_id = ? ORDER BY signer",
               {statement_id}));
  std::vector<std::string> out;
  for (const SqlRow& row : rows) out.emplace_back(row.text(0));
  return out;
}

}  // namespace safehouse::store
