// SPDX-License-Identifier: AGPL-3.0-or-later
// intake/intake.h: the source's side of Safehouse as a service the HTTP
// routes (and tests, and the review tools) call: first contact, follow-ups,
// sign-in with a codename, replies both ways. Every item is the age file of
// a Padmé-padded frame (intake/frame.h) encrypted to the recipient set (and,
// for replies, to the source). Nothing here knows HTTP; nothing here keeps
// a codename, an exact time or anything about the connection.
#ifndef SAFEHOUSE_INTAKE_INTAKE_H_
#define SAFEHOUSE_INTAKE_INTAKE_H_

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "age/x25519.h"
#include "codename/codename.h"
#include "codename/source_keys.h"
#include "intake/daily_quota.h"
#include "intake/frame.h"
#include "intake/recipient_set.h"
#include "intake/sealed_items.h"
#include "intake/sealing_budget.h"
#include "intake/submission.h"
#include "store/store.h"

namespace safehouse::intake {

// Longest reply a reviewer may send, bytes of text.
inline constexpr std::size_t kMaxReplyBytes = 256 * 1024;

struct IntakeOptions {
  // Every item is encrypted to all of these (config: keys/recipients.txt).
  std::vector<age::X25519Recipient> recipients;
  // When set, the recipient set as it is now (serve: the database's, which
  // `safehouse recipients add|remove` changes while it runs); each
  // submission and reply takes the set current when it starts encrypting.
  // `recipients` then only serves recipients() below.
  std::shared_ptr<LiveRecipientSet> live_recipients;
  SubmissionLimits limits;
  // Today's date (UTC day); injectable for tests.
  std::function<store::Day()> today;
  // Quotas (config [quotas]); 0 means no limit. Bytes are the submissions'
  // text and file bytes as they arrive, counted per source and UTC day.
  std::uint64_t bytes_per_source_per_day = 0;
  // Submissions are refused (kInsufficientStorage) while available_bytes()
  // (the data directory's free space) is below this; unset: not checked.
  std::uint64_t free_space_reserve_bytes = 0;
  std::function<Result<std::uint64_t>()> available_bytes;
};

// Counts of source events. Totals since start move the moment a source acts
// (tests and the process read them; /metrics must not publish them,
// docs/web.md "Metrics"); per-day counts are complete only once the day is
// over.
struct EventCounts {
  std::uint64_t submissions = 0;  // committed first contacts and follow-ups
  std::uint64_t first_contacts = 0;
  std::uint64_t items = 0;  // items stored (source items and replies)
  std::uint64_t bytes = 0;  // ciphertext bytes stored
  std::uint64_t replies = 0;
};
struct IntakeStats : EventCounts {
  // The last complete UTC day (yesterday) since start: moves only when a day
  // ends, so publishing it dates no event finer than the day.
  EventCounts previous_day;
};

// A reply as the source reads it.
struct Reply {
  store::Day day = 0;
  std::string text;  // plaintext: show it, then let it go
};

// Thread safety: all members may be called from any thread at once.
// Lifetime: `store` outlives the Intake; submissions do not outlive it.
class Intake {
 public:
  // Requires: options.recipients is non-empty.
  Intake(store::Store& store, IntakeOptions options);

  // A first contact: creates the source, its case (status "received") and
  // the items when the submission commits.
  std::unique_ptr<Submission> start_first_contact(const NewSource& source, std::string language);
  // A follow-up to the source's most recent case. kNotFound if the source
  // has no case.
  Result<std::unique_ptr<Submission>> start_follow_up(const store::SourceId& source_id,
                                                      std::string language);

  // Derives the keys of a typed codename (Argon2id: slow, run it on the
  // key-derivation pool) and checks that the source exists. Runs the same
  // derivation whether the codename is malformed, unknown or known, and
  // fails the same way (kNoMatch, "sign-in: codename not recognised") for
  // the first two.
  Result<codename::SourceKeys> sign_in(std::string_view typed_codename) const;

  // kInsufficientStorage if storing `incoming` more bytes would leave less
  // free space than the reserve; otherwise the bytes that may still come
  // before the reserve (UINT64_MAX when there is no reserve). Submissions
  // check it as their bytes arrive; call it before reading a body whose
  // length is declared, to refuse it before any byte is read.
  Result<std::uint64_t> check_free_space(std::uint64_t incoming) const;
  // kQuotaExceeded if the source has used up today's bytes (checks only).
  Result<void> check_daily_quota(const store::SourceId& source_id);

  // Replies to the source of `case_id`: encrypted to the recipient set and
  // to the source's reply recipient, stored as a reviewer item. Durable on
  // return. kInvalidArgument for empty text, kTooLarge beyond kMaxReplyBytes.
  Result<store::ItemId> send_reply(store::CaseId case_id, std::string_view text,
                                   std::string language);

  // The replies to a source, oldest first, decrypted with its reply
  // identity (derived from the codename at sign-in, held only in memory).
  Result<std::vector<Reply>> replies(const store::SourceId& source_id,
                                     const age::X25519Identity& reply_identity) const;

  // The JavaScript path (intake/sealed_items.h). A first contact (with
  // `new_source`: creates the source with its public keys, and its case) or
  // a follow-up to `source_id`'s latest case, of items the browser
  // encrypted; each must pass check_sealed_item for `recipient_count`.
  // Charged to the daily quota and checked against the free-space reserve
  // like the forms' bytes. Durable on success. kInvalidArgument without
  // items or with more than kMaxSealedItems; kConflict if the new source
  // exists.
  Result<Receipt> submit_sealed(const std::optional<SealedSource>& new_source,
                                const store::SourceId& source_id, std::vector<Bytes> items,
                                std::size_t recipient_count);
  // The same, answered through `done` instead of a wait: at once (on this
  // thread) if the items are refused, else from the store's writer thread
  // once the commit is durable or failed. The caller holds no thread while
  // the group commit gathers and syncs. `done` must not block or throw.
  void submit_sealed_async(const std::optional<SealedSource>& new_source,
                           const store::SourceId& source_id, std::vector<Bytes> items,
                           std::size_t recipient_count, std::function<void(Result<Receipt>)> done);
  // The Ed25519 key the source's browser registered; kNoMatch, the same for
  // an unknown source and one without a key (sign-in says nothing more).
  Result<std::array<std::uint8_t, 32>> signing_key(const store::SourceId& source_id) const;
  // The replies to a source as age files, oldest first.
  Result<std::vector<SealedReply>> sealed_replies(const store::SourceId& source_id) const;

  IntakeStats stats() const;
  store::Store& store() const { return store_; }
  store::Day today() const { return options_.today(); }
  // The set given in IntakeOptions::recipients (tests).
  std::span<const age::Recipient* const> recipients() const { return recipient_ptrs_; }
  // The set new items are encrypted to now: the live set if there is one.
  Result<RecipientSnapshot> current_recipients() const;
  const SubmissionLimits& limits() const { return options_.limits; }

 private:
  friend class Submission;
  void count_submission(bool first_contact, std::uint64_t items, std::uint64_t bytes);

  store::Store& store_;
  IntakeOptions options_;
  std::vector<const age::Recipient*> recipient_ptrs_;
  RecipientSnapshot fixed_recipients_;  // from options_.recipients
  SealingBudget sealing_budget_{SealingBudget::default_spare_threads()};
  DailyQuota daily_quota_;
  std::atomic<std::uint64_t> submissions_{0};
  std::atomic<std::uint64_t> first_contacts_{0};
  std::atomic<std::uint64_t> items_{0};
  std::atomic<std::uint64_t> bytes_{0};
  std::atomic<std::uint64_t> replies_{0};
  // Per-day tally: today's counts, and the previous day's once it is over.
  void tally(const std::function<void(EventCounts&)>& add) const;
  mutable std::mutex day_mu_;
  mutable store::Day tally_day_ = 0;
  mutable EventCounts today_counts_;
  mutable EventCounts previous_day_counts_;
};

}  // namespace safehouse::intake

#endif  // SAFEHOUSE_INTAKE_INTAKE_H_
