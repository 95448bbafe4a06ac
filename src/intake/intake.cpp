// SPDX-License-Identifier: AGPL-3.0-or-later
// intake/intake.cpp: starting submissions, signing in with a codename, and
// replies both ways.
#include "intake/intake.h"

#include <chrono>

#include "age/age.h"
#include "crypto/secret_bytes.h"
#include "intake/item_reader.h"
#include "intake/sources.h"

namespace safehouse::intake {

namespace {

// A reply's age file: at most the text, a small header, Padmé's ~12% and
// age's 16 bytes a 64 KiB chunk plus its header.
constexpr std::size_t kMaxReplyCiphertextBytes = 2 * kMaxReplyBytes;

Error not_recognised() {
  return Error(ErrorCode::kNoMatch, "sign-in: codename not recognised");
}

// The most recent case of a source (cases are listed in ascending id order).
Result<store::CaseId> latest_case(store::Store& store, const store::SourceId& source_id) {
  store::CaseQuery query;
  query.source_id = source_id;
  query.limit = store::kMaxListLimit;
  store::CaseId latest = 0;
  while (true) {
    auto cases = SAFEHOUSE_TRY(store.list_cases(query));
    for (const auto& record : cases) latest = record.case_id;
    if (cases.size() < query.limit) break;
    query.after_case_id = latest;
  }
  if (latest == 0) return Error(ErrorCode::kNotFound, "follow-up: the source has no case");
  return latest;
}

}  // namespace

Intake::Intake(store::Store& store, IntakeOptions options)
    : store_(store), options_(std::move(options)), daily_quota_(options_.bytes_per_source_per_day) {
  if (!options_.today) {
    options_.today = [] { return store::day_of(std::chrono::system_clock::now()); };
  }
  for (const auto& recipient : options_.recipients) recipient_ptrs_.push_back(&recipient);
  if (!options_.recipients.empty()) {
    fixed_recipients_ = std::make_shared<const RecipientSet>(options_.recipients);
  }
}

Result<RecipientSnapshot> Intake::current_recipients() const {
  if (options_.live_recipients) return options_.live_recipients->current();
  if (!fixed_recipients_) return Error(ErrorCode::kInternal, "intake: no recipient set");
  return fixed_recipients_;
}

std::unique_ptr<Submission> Intake::start_first_contact(const NewSource& source,
                                                        std::string language) {
  return std::unique_ptr<Submission>(
      new Submission(*this, std::move(language), source, source.source_id, 0));
}

Result<std::unique_ptr<Submission>> Intake::start_follow_up(const store::SourceId& source_id,
                                                            std::string language) {
  const store::CaseId case_id = SAFEHOUSE_TRY(latest_case(store_, source_id));
  return std::unique_ptr<Submission>(
      new Submission(*this, std::move(language), std::nullopt, source_id, case_id));
}

Result<codename::SourceKeys> Intake::sign_in(std::string_view typed_codename) const {
  auto parsed = codename::Codename::parse(typed_codename);
  // A malformed codename costs the same derivation as a real one, so the
  // time taken says nothing about which of the two it was.
  std::optional<codename::Codename> throwaway;
  if (!parsed) throwaway = codename::Codename::generate();
  const codename::Codename& codename = parsed ? *parsed : *throwaway;
  codename::SourceKeys keys = codename::derive_source_keys(codename);
  if (!parsed) return not_recognised();
  auto source = store_.get_source(keys.source_id);
  if (!source) {
    if (source.error().code() == ErrorCode::kNotFound) return not_recognised();
    return source.error().with_context("sign-in");
  }
  return keys;
}

Result<std::uint64_t> Intake::check_free_space(std::uint64_t incoming) const {
  if (options_.free_space_reserve_bytes == 0 || !options_.available_bytes) return UINT64_MAX;
  auto available = options_.available_bytes();
  if (!available) return available.error().with_context("free space");
  if (*available < options_.free_space_reserve_bytes ||
      *available - options_.free_space_reserve_bytes < incoming) {
    return Error(ErrorCode::kInsufficientStorage,
                 "free space: below the reserve of " +
                     std::to_string(options_.free_space_reserve_bytes) + " bytes");
  }
  return *available - options_.free_space_reserve_bytes - incoming;
}

Result<void> Intake::check_daily_quota(const store::SourceId& source_id) {
  return daily_quota_.charge(source_id, today(), 0);
}

Result<store::ItemId> Intake::send_reply(store::CaseId case_id, std::string_view text,
                                         std::string language) {
  if (text.empty()) return invalid_argument("reply: the text is empty");
  if (text.size() > kMaxReplyBytes) {
    return Error(ErrorCode::kTooLarge,
                 "reply: longer than " + std::to_string(kMaxReplyBytes) + " bytes");
  }
  const store::CaseRecord record = SAFEHOUSE_TRY(store_.get_case(case_id));
  const age::X25519Recipient source = SAFEHOUSE_TRY(reply_recipient(store_, record.source_id));
  const RecipientSnapshot set = SAFEHOUSE_TRY(current_recipients());
  std::vector<const age::Recipient*> recipients(set->pointers().begin(), set->pointers().end());
  recipients.push_back(&source);

  FrameHeader header;
  header.kind = ItemKind::kReply;
  header.media_type = "text/plain; charset=utf-8";
  header.language = std::move(language);
  store::ItemBody body =
      SAFEHOUSE_TRY(encrypt_item(header, as_bytes(text), recipients, store_.blobs()));
  const auto* blob = std::get_if<store::BlobRef>(&body);
  const std::optional<store::BlobRef> blob_ref =
      blob ? std::optional<store::BlobRef>(*blob) : std::nullopt;
  const std::uint64_t bytes =
      blob ? blob->size : std::get<store::InlineBody>(body).ciphertext.size();

  store::WriteBatch batch;
  const std::size_t op = batch.add_item(store::CaseRef::existing(case_id),
                                        store::Direction::kReviewer, std::move(body), today());
  auto result = store_.commit(std::move(batch));
  if (!result) {
    // After kIo or kOutcomeUnknown the record may be there, so its blob
    // must stay (store.h). Any other error certainly did not commit.
    if (blob_ref && !store::commit_may_have_happened(result.error())) {
      (void)store_.blobs().remove(blob_ref->sha256);
    }
    return result.error().with_context("reply: store");
  }
  items_ += 1;
  bytes_ += bytes;
  replies_ += 1;
  tally([](EventCounts& day) { day.replies += 1; });
  return result->id(op);
}

Result<std::vector<Reply>> Intake::replies(const store::SourceId& source_id,
                                           const age::X25519Identity& reply_identity) const {
  store::CaseQuery query;
  query.source_id = source_id;
  query.limit = store::kMaxListLimit;
  const auto cases = SAFEHOUSE_TRY(store_.list_cases(query));
  const age::Identity* identities[] = {&reply_identity};
  std::vector<Reply> replies;
  for (const store::CaseRecord& record : cases) {
    for (const store::ItemRecord& item : SAFEHOUSE_TRY(store_.list_items(record.case_id))) {
      if (item.direction != store::Direction::kReviewer) continue;
      Bytes text;
      auto header = read_item(store_, item.item_id, identities, text, kMaxReplyCiphertextBytes);
      if (!header) {
        crypto::wipe(text);
        return header.error().with_context("reply " + std::to_string(item.item_id));
      }
      replies.push_back(Reply{item.day, std::string(text.begin(), text.end())});
      crypto::wipe(text);
    }
  }
  return replies;
}

void Intake::count_submission(bool first_contact, std::uint64_t items, std::uint64_t bytes) {
  submissions_ += 1;
  if (first_contact) first_contacts_ += 1;
  items_ += items;
  bytes_ += bytes;
  tally([&](EventCounts& day) {
    day.submissions += 1;
    day.first_contacts += first_contact ? 1 : 0;
    day.items += items;
    day.bytes += bytes;
  });
}

namespace {

// Days since 1970 of a YYYYMMDD day.
std::int64_t day_number(store::Day day) {
  const std::chrono::year_month_day ymd{std::chrono::year(static_cast<int>(day / 10000)),
                                        std::chrono::month(static_cast<unsigned>(day / 100 % 100)),
                                        std::chrono::day(static_cast<unsigned>(day % 100))};
  return std::chrono::sys_days(ymd).time_since_epoch().count();
}

}  // namespace

// Rolls the tally over when the day has changed (yesterday's counts become
// the previous day's; after a day without events, the previous day is 0),
// then adds to today's.
void Intake::tally(const std::function<void(EventCounts&)>& add) const {
  const store::Day today = options_.today();
  std::lock_guard lock(day_mu_);
  if (today != tally_day_) {
    const bool next_day = tally_day_ != 0 && day_number(today) == day_number(tally_day_) + 1;
    previous_day_counts_ = next_day ? today_counts_ : EventCounts{};
    today_counts_ = EventCounts{};
    tally_day_ = today;
  }
  add(today_counts_);
}

IntakeStats Intake::stats() const {
  IntakeStats stats;
  tally([&stats, this](EventCounts&) { stats.previous_day = previous_day_counts_; });
  stats.submissions = submissions_.load();
  stats.first_contacts = first_contacts_.load();
  stats.items = items_.load();
  stats.bytes = bytes_.load();
  stats.replies = replies_.load();
  return stats;
}

}  // namespace safehouse::intake
