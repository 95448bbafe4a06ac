// SPDX-License-Identifier: AGPL-3.0-or-later
// review/log_publisher.h: what the installation publishes in its
// transparency log (ARCHITECTURE.md §8, docs/tlog.md "Case events in the
// log"):
//   - case events, in batches: every event not yet in the log becomes one
//     entry (case id, event number, day, status, hiding commitment to the
//     case's category), the batch in random order (a CSPRNG shuffle) so
//     that positions say nothing about the time of day; the openings are
//     kept and sealed with age to every accredited observer (openings v2:
//     each with its case's audit consent, which the public entry never
//     carries);
//   - statements: signed notes of the figures of a period, recomputed from
//     the log's entries and the openings;
//   - observers' cosignatures of statements, checked against their keys.
// Every write is one transaction holding the log's lock (LogStore), so
// several servers on one database never publish an event twice.
#ifndef SAFEHOUSE_REVIEW_LOG_PUBLISHER_H_
#define SAFEHOUSE_REVIEW_LOG_PUBLISHER_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "age/x25519.h"
#include "base/error.h"
#include "store/log_records.h"
#include "store/log_store.h"
#include "tlog/case_log.h"
#include "tlog/cosignature.h"
#include "tlog/note.h"
#include "tlog/note_key.h"

namespace safehouse::review {

// The setting holding the last day whose daily batch ran (YYYYMMDD).
inline constexpr const char* kLastBatchSetting = "log/last-batch-day";

struct PublishedBatch {
  std::size_t entries = 0;        // case events appended
  std::uint64_t first_index = 0;  // the first one's index
  store::LogHead head;            // the log after the batch
};

// Appends every case event of day `through` or earlier that is not in the
// log yet (see above), records its opening, and reseals the openings of
// every observer. No such event: nothing is appended.
Result<PublishedBatch> publish_case_events(store::LogStore& log, const tlog::NoteSigner& signer,
                                           store::Day through);

// The daily batch: once per UTC day, the events of the days before
// `today`. Returns nullopt when today's batch ran already (on this server
// or another).
Result<std::optional<PublishedBatch>> publish_daily_batch(store::LogStore& log,
                                                          const tlog::NoteSigner& signer,
                                                          store::Day today);

// Observers (public keys only). add: checks the name (as reviewers'), the
// age recipient and the verifier key (cosignature/v1 or Ed25519, named
// `name`), and seals
// the openings so far to it.
Result<void> add_observer(store::LogStore& log, const store::ObserverRecord& observer);
Result<void> remove_observer(store::LogStore& log, std::string_view name);
Result<std::vector<store::ObserverRecord>> list_observers(store::LogStore& log);

// Computes the figures of `period` from the log's case events (those below
// the current checkpoint), builds the statement, signs it with `signer`
// and records it. Returns the statement's id and note.
struct PublishedStatement {
  std::int64_t id = 0;
  std::string note;
  tlog::Statement statement;
};
Result<PublishedStatement> publish_statement(store::LogStore& log, const tlog::NoteSigner& signer,
                                             const tlog::Period& period, std::uint64_t threshold,
                                             store::Day today);

// A statement as served: the log's note with the cosignatures it has.
Result<std::string> statement_with_cosignatures(store::SqlSession& db, std::int64_t id);

// Checks `note` (the statement's text cosigned by one or more observers,
// cosignature/v1: observer_verifier) and keeps each accredited observer's
// signature (a plain Ed25519 signature is not one of theirs): kNotFound for no such
// statement, kInvalidArgument if the text is not the statement's, kNoMatch
// if no accredited observer signed it, kIntegrity for a bad signature.
// Returns the names of the observers whose cosignature was kept.
Result<std::vector<std::string>> add_cosignatures(store::LogStore& log, std::int64_t id,
                                                  std::string_view note);

// Observers' Ed25519 cosigning keys: derived from the observer's age
// identity (HKDF-SHA-256, info kObserverKeyInfo), so one identity file is
// all an observer keeps.
inline constexpr std::string_view kObserverKeyInfo = "safehouse/observer/ed25519/v1";
tlog::Ed25519Key observer_signing_key(const age::X25519Identity& identity, std::string name);

// Statement cosignatures are C2SP cosignature/v1 (key type 0x04): the
// observer signs "cosignature/v1\ntime <t>\n" || the statement's text with
// its derived key, <t> the POSIX time it cosigned (docs/tlog.md). `clock`
// gives that time (tests fix it).
tlog::CosignatureV1Signer observer_cosigner(const age::X25519Identity& identity, std::string name,
                                            std::function<std::uint64_t()> clock = {});
// The verifier of an observer's statement cosignatures: cosignature/v1 with
// the Ed25519 public key of its recorded verifier key, whichever type that
// key was recorded with (0x04 from `observer keygen`; 0x01 from older
// ones: the same key, so accredited observers keep working).
Result<tlog::CosignatureV1Verifier> observer_verifier(const store::ObserverRecord& observer);

}  // namespace safehouse::review

#endif  // SAFEHOUSE_REVIEW_LOG_PUBLISHER_H_
