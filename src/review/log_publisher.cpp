// SPDX-License-Identifier: AGPL-3.0-or-later
// review/log_publisher.cpp: see log_publisher.h.
#include "review/log_publisher.h"

#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <numeric>

#include "age/age.h"
#include "crypto/hkdf.h"
#include "intake/sources.h"
#include "review/reviewer_keys.h"
#include "tlog/case_entry.h"
#include "tlog/statement.h"

namespace safehouse::review {
namespace {

std::string text_of(ByteSpan bytes) {
  return std::string(bytes.begin(), bytes.end());
}

std::string category_or_default(std::string_view category) {
  return category.empty() ? std::string(tlog::kUncategorised) : std::string(category);
}

// Fisher–Yates with libsodium's uniform CSPRNG.
void shuffle(std::vector<std::size_t>& order) {
  for (std::size_t i = order.size(); i > 1; --i) {
    const std::size_t j = randombytes_uniform(static_cast<std::uint32_t>(i));
    std::swap(order[i - 1], order[j]);
  }
}

tlog::CategoryOpening opening_of(const store::LoggedCaseEvent& event) {
  tlog::CategoryOpening opening;
  opening.case_id = std::to_string(event.case_id);
  opening.event = static_cast<std::uint64_t>(event.event_number);
  opening.category = event.category;
  std::copy(event.nonce.begin(), event.nonce.end(), opening.nonce.begin());
  opening.audit_consent = event.audit_consent;
  return opening;
}

Result<Bytes> seal_to(std::string_view recipient_text, std::string_view plaintext) {
  auto recipient = age::X25519Recipient::parse(recipient_text);
  if (!recipient) return recipient.error().with_context("observer recipient");
  const age::Recipient* recipients[] = {&*recipient};
  return age::encrypt_bytes(recipients, as_bytes(plaintext));
}

// Reseals every observer's openings (all case events below the head), each
// saying whether its case's source consented to a sampled audit.
Result<void> seal_openings(store::SqlSession& db, const store::LogHead& head,
                           const std::vector<store::ObserverRecord>& observers) {
  if (observers.empty()) return {};
  tlog::OpeningsFile file;
  file.origin = head.checkpoint.origin;
  file.size = head.checkpoint.size;
  for (const auto& event : SAFEHOUSE_TRY(store::list_logged_events(db, head.checkpoint.size))) {
    file.openings.push_back(opening_of(event));
  }
  const std::string text = SAFEHOUSE_TRY(tlog::format_openings_file(file));
  for (const store::ObserverRecord& observer : observers) {
    const Bytes sealed = SAFEHOUSE_TRY(seal_to(observer.recipient, text));
    SAFEHOUSE_TRY_VOID(
        store::put_observer_openings(db, observer.name, head.checkpoint.size, sealed));
  }
  return {};
}

Result<std::optional<store::Day>> setting_day(store::SqlSession& db, const char* key) {
  auto row = SAFEHOUSE_TRY(db.query_one("SELECT value FROM settings WHERE key = ?", {key}));
  if (!row) return std::optional<store::Day>();
  const std::string text = text_of(row->blob(0));
  store::Day day = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || text.size() != 8) {
      return Error(ErrorCode::kIntegrity, std::string("setting ") + key + " is not a day");
    }
    day = day * 10 + (c - '0');
  }
  return std::optional<store::Day>(day);
}

Result<void> set_setting_day(store::SqlSession& db, const char* key, store::Day day) {
  const std::string text = std::to_string(day);
  return db.exec(
      "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
      "excluded.value",
      {key, as_bytes(text)});
}

// The batch itself, inside the append transaction. `gate` decides (under
// the lock) whether the batch runs at all.
Result<PublishedBatch> run_batch(store::LogStore& log, const tlog::NoteSigner& signer,
                                 store::Day through,
                                 const std::function<Result<bool>(store::SqlSession&)>& gate,
                                 const std::function<Result<void>(store::SqlSession&)>& done,
                                 bool& ran) {
  std::vector<store::LoggedCaseEvent> batch;
  ran = false;
  auto choose = [&](store::SqlSession& db, const store::LogHead&) -> Result<std::vector<Bytes>> {
    batch.clear();
    ran = SAFEHOUSE_TRY(gate(db));
    if (!ran) return std::vector<Bytes>{};
    const auto events = SAFEHOUSE_TRY(store::list_unpublished_events(db, through));
    std::vector<std::size_t> order(events.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    shuffle(order);
    std::vector<Bytes> entries;
    entries.reserve(events.size());
    for (std::size_t i : order) {
      const store::LogCaseEvent& event = events[i];
      const std::string category = category_or_default(event.category);
      tlog::CategoryOpening opening = tlog::make_opening(
          std::to_string(event.case_id), static_cast<std::uint64_t>(event.event_number), category);
      tlog::CaseEvent entry;
      entry.case_id = opening.case_id;
      entry.event = opening.event;
      entry.day = intake::format_day(event.day);
      entry.status = std::string(store::status_name(event.status));
      entry.commitment = tlog::category_commitment(category, opening.nonce);
      entries.push_back(SAFEHOUSE_TRY(tlog::encode_case_event(entry)));
      store::LoggedCaseEvent logged;
      logged.case_id = event.case_id;
      logged.event_number = event.event_number;
      logged.day = event.day;
      logged.status = event.status;
      logged.category = category;
      std::copy(opening.nonce.begin(), opening.nonce.end(), logged.nonce.begin());
      logged.audit_consent = event.audit_consent;
      batch.push_back(std::move(logged));
    }
    return entries;
  };
  auto after = [&](store::SqlSession& db, const store::LogAppended& appended) -> Result<void> {
    if (!ran) return {};
    for (std::size_t i = 0; i < batch.size(); ++i) {
      batch[i].log_index = appended.first_index + i;
      SAFEHOUSE_TRY_VOID(store::insert_logged_event(db, batch[i]));
    }
    SAFEHOUSE_TRY_VOID(done(db));
    return seal_openings(db, appended.head, SAFEHOUSE_TRY(store::list_observers(db)));
  };
  const store::LogAppended appended = SAFEHOUSE_TRY(log.append_with(choose, after, signer));
  return PublishedBatch{batch.size(), appended.first_index, appended.head};
}

Result<void> check_observer(const store::ObserverRecord& observer) {
  SAFEHOUSE_TRY_VOID(check_reviewer_name(observer.name));
  auto recipient = age::X25519Recipient::parse(observer.recipient);
  if (!recipient) return recipient.error().with_context("observer " + observer.name);
  auto key = tlog::parse_verifier_key_parts(observer.verifier_key);
  if (!key) return key.error().with_context("observer " + observer.name + ": verifier key");
  if ((key->type != tlog::kKeyTypeCosignatureV1 && key->type != tlog::kKeyTypeEd25519) ||
      key->name != observer.name) {
    return invalid_argument("observer " + observer.name +
                            ": the verifier key must be a cosignature/v1 (or Ed25519) key named " +
                            observer.name);
  }
  return {};
}

}  // namespace

tlog::Ed25519Key observer_signing_key(const age::X25519Identity& identity, std::string name) {
  const crypto::SecretBytes text = identity.to_string();
  const crypto::SecretBytes seed = crypto::hkdf_sha256(text.reveal(), {}, kObserverKeyInfo, 32);
  return tlog::Ed25519Key::from_seed(std::move(name), seed.reveal());
}

tlog::CosignatureV1Signer observer_cosigner(const age::X25519Identity& identity, std::string name,
                                            std::function<std::uint64_t()> clock) {
  if (!clock) {
    clock = [] {
      return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count());
    };
  }
  return tlog::CosignatureV1Signer(observer_signing_key(identity, std::move(name)),
                                   std::move(clock));
}

Result<tlog::CosignatureV1Verifier> observer_verifier(const store::ObserverRecord& observer) {
  auto key = tlog::parse_verifier_key_parts(observer.verifier_key);
  if (!key) return key.error().with_context("observer " + observer.name + ": verifier key");
  return tlog::CosignatureV1Verifier(key->name, key->public_key);
}

Result<PublishedBatch> publish_case_events(store::LogStore& log, const tlog::NoteSigner& signer,
                                           store::Day through) {
  bool ran = false;
  auto batch = run_batch(
      log, signer, through, [](store::SqlSession&) -> Result<bool> { return true; },
      [](store::SqlSession&) -> Result<void> { return {}; }, ran);
  if (!batch) return batch.error().with_context("log publish");
  return batch;
}

Result<std::optional<PublishedBatch>> publish_daily_batch(store::LogStore& log,
                                                          const tlog::NoteSigner& signer,
                                                          store::Day today) {
  const store::Day yesterday =
      store::day_of(std::chrono::sys_days(std::chrono::year_month_day(
                        std::chrono::year(today / 10000),
                        std::chrono::month(static_cast<unsigned>(today / 100 % 100)),
                        std::chrono::day(static_cast<unsigned>(today % 100)))) -
                    std::chrono::days(1));
  bool ran = false;
  auto gate = [&](store::SqlSession& db) -> Result<bool> {
    auto last = SAFEHOUSE_TRY(setting_day(db, kLastBatchSetting));
    return !last || *last < today;
  };
  auto done = [&](store::SqlSession& db) -> Result<void> {
    return set_setting_day(db, kLastBatchSetting, today);
  };
  auto batch = run_batch(log, signer, yesterday, gate, done, ran);
  if (!batch) return batch.error().with_context("daily log batch");
  if (!ran) return std::optional<PublishedBatch>();
  return std::optional<PublishedBatch>(std::move(*batch));
}

Result<void> add_observer(store::LogStore& log, const store::ObserverRecord& observer) {
  SAFEHOUSE_TRY_VOID(check_observer(observer));
  auto added = log.update([&](store::SqlSession& db, const store::LogHead& head) -> Result<void> {
    SAFEHOUSE_TRY_VOID(store::insert_observer(db, observer));
    return seal_openings(db, head, {observer});
  });
  if (!added) return added.error().with_context("observer add " + observer.name);
  return {};
}

Result<void> remove_observer(store::LogStore& log, std::string_view name) {
  return log.update([&](store::SqlSession& db, const store::LogHead&) -> Result<void> {
    return store::delete_observer(db, name);
  });
}

Result<std::vector<store::ObserverRecord>> list_observers(store::LogStore& log) {
  std::vector<store::ObserverRecord> out;
  SAFEHOUSE_TRY_VOID(log.read_with([&](store::SqlSession& db) -> Result<void> {
    out = SAFEHOUSE_TRY(store::list_observers(db));
    return {};
  }));
  return out;
}

Result<PublishedStatement> publish_statement(store::LogStore& log, const tlog::NoteSigner& signer,
                                             const tlog::Period& period, std::uint64_t threshold,
                                             store::Day today) {
  PublishedStatement out;
  auto published = log.update([&](store::SqlSession& db,
                                  const store::LogHead& head) -> Result<void> {
    std::vector<tlog::CountedEvent> events;
    for (const auto& event : SAFEHOUSE_TRY(store::list_logged_events(db, head.checkpoint.size))) {
      events.push_back({std::to_string(event.case_id),
                        static_cast<std::uint64_t>(event.event_number),
                        intake::format_day(event.day),
                        std::string(store::status_name(event.status)), event.category});
    }
    const tlog::PeriodCounts counts = tlog::count_period(events, period);
    out.statement =
        SAFEHOUSE_TRY(tlog::make_statement(head.checkpoint, period.first_day, period.last_day,
                                           threshold, counts.statuses, counts.categories));
    const std::string text = SAFEHOUSE_TRY(tlog::format_statement(out.statement));
    const tlog::NoteSigner* signers[] = {&signer};
    out.note = SAFEHOUSE_TRY(tlog::sign_note(text, signers));
    out.id = SAFEHOUSE_TRY(store::insert_statement(db, today, out.note));
    return {};
  });
  if (!published) return published.error().with_context("statement publish");
  return out;
}

Result<std::string> statement_with_cosignatures(store::SqlSession& db, std::int64_t id) {
  const store::StatementRecord record = SAFEHOUSE_TRY(store::find_statement(db, id));
  std::string note = record.note;
  for (const std::string& line : SAFEHOUSE_TRY(store::list_cosignatures(db, id))) note += line;
  return note;
}

Result<std::vector<std::string>> add_cosignatures(store::LogStore& log, std::int64_t id,
                                                  std::string_view note) {
  std::vector<std::string> kept;
  auto added = log.update([&](store::SqlSession& db, const store::LogHead&) -> Result<void> {
    kept.clear();
    const store::StatementRecord record = SAFEHOUSE_TRY(store::find_statement(db, id));
    const tlog::Note published = SAFEHOUSE_TRY(tlog::parse_note(record.note));
    const tlog::Note offered = SAFEHOUSE_TRY(tlog::parse_note(note));
    if (offered.text != published.text) {
      return invalid_argument("cosignature: the text is not statement " + std::to_string(id) +
                              "'s");
    }
    std::vector<std::unique_ptr<tlog::NoteVerifier>> verifiers;
    std::vector<const tlog::NoteVerifier*> known;
    for (const auto& observer : SAFEHOUSE_TRY(store::list_observers(db))) {
      verifiers.push_back(std::make_unique<tlog::CosignatureV1Verifier>(
          SAFEHOUSE_TRY(observer_verifier(observer))));
      known.push_back(verifiers.back().get());
    }
    auto opened = tlog::open_note(note, known);
    if (!opened) {
      if (opened.error().code() == ErrorCode::kNoMatch) {
        return Error(ErrorCode::kNoMatch, "cosignature: no accredited observer signed it");
      }
      return opened.error().with_context("cosignature");
    }
    for (const tlog::VerifiedSignature& verified : opened->verified) {
      SAFEHOUSE_TRY_VOID(store::put_cosignature(db, id, verified.verifier->name(),
                                                tlog::format_signature_line(verified.signature)));
      kept.push_back(verified.verifier->name());
    }
    return {};
  });
  if (!added) return added.error();
  return kept;
}

}  // namespace safehouse::review
