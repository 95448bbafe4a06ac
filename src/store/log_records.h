// SPDX-License-Identifier: AGPL-3.0-or-later
// store/log_records.h: what the transparency log publishes about cases
// (schema version 5, docs/tlog.md "Case events in the log"), as
// engine-neutral SQL over a session the caller holds — inside
// LogStore::append_with()/locked() for writes, so that choosing the events
// of a batch, appending them and recording where they went is one
// transaction under the log's lock.
//   - a case's category ('' until a reviewer files it);
//   - for each case event in the log: its index and the opening of its
//     category commitment (category and 32-byte nonce);
//   - accredited observers (public keys only) and the openings sealed to
//     each (an age file, regenerated with every batch);
//   - published statements (signed notes) and observers' cosignatures.
// They judge nothing: the rules are in review/log_publisher.h.
#ifndef SAFEHOUSE_STORE_LOG_RECORDS_H_
#define SAFEHOUSE_STORE_LOG_RECORDS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "store/sql.h"
#include "store/types.h"

namespace safehouse::store {

using LogNonce = std::array<std::uint8_t, 32>;

// Sets the case's category; kNotFound if there is no such case.
Result<void> set_case_category(SqlSession& db, CaseId case_id, std::string_view category);
// The case's category ('' if none); kNotFound if there is no such case.
Result<std::string> case_category(SqlSession& db, CaseId case_id);

// A case event with what the log needs to publish it.
struct LogCaseEvent {
  CaseId case_id = 0;
  std::int64_t event_number = 0;
  Day day = 0;
  CaseStatus status = CaseStatus::kReceived;
  std::string category;        // the case's category now ('' if none)
  bool audit_consent = false;  // the case's source consented to a sampled audit
};
// The case events not yet in the log whose day is `through` or earlier, in
// (case, event) order.
Result<std::vector<LogCaseEvent>> list_unpublished_events(SqlSession& db, Day through);

// A case event in the log: where, and the opening of its commitment.
struct LoggedCaseEvent {
  std::uint64_t log_index = 0;
  CaseId case_id = 0;
  std::int64_t event_number = 0;
  Day day = 0;
  CaseStatus status = CaseStatus::kReceived;
  std::string category;  // as committed in the entry
  LogNonce nonce{};
  // The case's source had consented to a sampled audit when the event was
  // published (cases.audit_consent then; never in the entry itself): the
  // openings tell observers, the public log does not.
  bool audit_consent = false;
};
// kConflict if the event or the index is recorded already.
Result<void> insert_logged_event(SqlSession& db, const LoggedCaseEvent& event);
// The logged events with an index below `size`, in index order.
Result<std::vector<LoggedCaseEvent>> list_logged_events(SqlSession& db, std::uint64_t size);

struct ObserverRecord {
  std::string name;
  std::string recipient;     // age1…
  std::string verifier_key;  // signed-note verifier key (Ed25519) it cosigns with
  Day added_day = 0;
};
// kConflict if the name, recipient or key is taken.
Result<void> insert_observer(SqlSession& db, const ObserverRecord& observer);
// Removes the observer and the openings sealed to it; kNotFound if none.
Result<void> delete_observer(SqlSession& db, std::string_view name);
Result<std::vector<ObserverRecord>> list_observers(SqlSession& db);

// The openings sealed to `name` (an age file) for the log at `log_size`.
Result<void> put_observer_openings(SqlSession& db, std::string_view name, std::uint64_t log_size,
                                   ByteSpan sealed);
// kNotFound if nothing is sealed to `name`.
Result<Bytes> read_observer_openings(SqlSession& db, std::string_view name);

struct StatementRecord {
  std::int64_t statement_id = 0;  // 1, 2, …
  Day day = 0;
  std::string note;  // signed by the log key
};
Result<std::int64_t> insert_statement(SqlSession& db, Day day, std::string_view note);
Result<std::vector<StatementRecord>> list_statements(SqlSession& db);
// kNotFound if there is no such statement.
Result<StatementRecord> find_statement(SqlSession& db, std::int64_t statement_id);
// One signature line per signer (its key name); a later one replaces it.
Result<void> put_cosignature(SqlSession& db, std::int64_t statement_id, std::string_view signer,
                             std::string_view line);
// The signature lines ("— name base64\n"), by signer name.
Result<std::vector<std::string>> list_cosignatures(SqlSession& db, std::int64_t statement_id);

}  // namespace safehouse::store

#endif  // SAFEHOUSE_STORE_LOG_RECORDS_H_
