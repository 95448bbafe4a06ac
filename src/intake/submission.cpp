// SPDX-License-Identifier: AGPL-3.0-or-later
// intake/submission.cpp: buffering text fields, streaming file items, and
// the one batch that stores a submission.
#include "intake/submission.h"

#include <algorithm>

#include "base/utf8.h"
#include "crypto/secret_bytes.h"
#include "intake/alias.h"
#include "intake/intake.h"
#include "intake/sources.h"
#include "store/write_batch.h"

namespace safehouse::intake {

namespace {

constexpr std::string_view kTextMediaType = "text/plain; charset=utf-8";
// How many bytes may arrive between two checks of the free-space reserve
// (a statvfs each); the reserve is far larger than this.
constexpr std::uint64_t kSpaceCheckBytes = 4 << 20;
constexpr std::string_view kBranches[] = {"", "army", "police", "intelligence", "other"};

// Appends to a plaintext buffer without leaving copies behind when it grows.
void append_wiping(Bytes& buffer, ByteSpan data) {
  if (buffer.size() + data.size() > buffer.capacity()) {
    Bytes bigger;
    bigger.reserve(std::max(buffer.capacity() * 2, buffer.size() + data.size()));
    bigger.insert(bigger.end(), buffer.begin(), buffer.end());
    crypto::wipe(buffer);
    buffer.swap(bigger);
  }
  buffer.insert(buffer.end(), data.begin(), data.end());
}

bool claims_empty(const Claims& claims) {
  return claims.branch.empty() && claims.unit.empty() && claims.rank.empty() &&
         claims.region.empty();
}

}  // namespace

bool is_valid_branch(std::string_view branch) {
  return std::find(std::begin(kBranches), std::end(kBranches), branch) != std::end(kBranches);
}

Submission::Submission(Intake& intake, std::string language, std::optional<NewSource> new_source,
                       const store::SourceId& source_id, store::CaseId case_id)
    : intake_(intake),
      language_(std::move(language)),
      new_source_(std::move(new_source)),
      case_id_(case_id),
      source_id_(source_id),
      day_(intake.today()) {}

Submission::~Submission() {
  crypto::wipe(message_);
  wipe_claims(claims_);
  current_.reset();  // an unfinished blob removes its own temporary file
  if (!committed_) {
    remove_blobs();
    intake_.daily_quota_.refund(source_id_, day_, charged_);
  }
}

Result<void> Submission::charge(std::size_t bytes) {
  if (bytes == 0) return {};
  SAFEHOUSE_TRY_VOID(intake_.daily_quota_.charge(source_id_, day_, bytes));
  charged_ += bytes;
  unchecked_bytes_ += bytes;
  if (unchecked_bytes_ > unchecked_allowed_) {
    const std::uint64_t headroom = SAFEHOUSE_TRY(intake_.check_free_space(unchecked_bytes_));
    unchecked_allowed_ = std::min(headroom, kSpaceCheckBytes);
    unchecked_bytes_ = 0;
  }
  return {};
}

void Submission::remove_blobs() {
  // Best effort: an orphan blob is ciphertext no record points to.
  for (const store::BlobRef& ref : blobs_) (void)intake_.store().blobs().remove(ref.sha256);
  blobs_.clear();
}

Result<void> Submission::set_audit_consent(std::string_view value) {
  if (audit_consent_given_) return malformed("submission: audit_consent given twice");
  audit_consent_given_ = true;
  if (value != kAuditConsentYes) {
    return malformed(
        "submission: audit_consent is not \"yes\" (the only value; unticked, it is "
        "not sent)");
  }
  if (!is_first_contact()) {
    return invalid_argument("submission: consent to an audit is given only at first contact");
  }
  audit_consent_ = true;
  return {};
}

Result<void> Submission::append_text(TextField field, ByteSpan data) {
  if (field == TextField::kMessage) {
    if (message_.size() + data.size() > intake_.limits().max_message_bytes) {
      return Error(ErrorCode::kTooLarge, "submission: the message is longer than " +
                                             std::to_string(intake_.limits().max_message_bytes) +
                                             " bytes");
    }
    SAFEHOUSE_TRY_VOID(charge(data.size()));
    append_wiping(message_, data);
    return {};
  }
  if (!is_first_contact()) {
    return invalid_argument("submission: claims are taken only at first contact");
  }
  std::string* claim = field == TextField::kClaimBranch ? &claims_.branch
                       : field == TextField::kClaimUnit ? &claims_.unit
                       : field == TextField::kClaimRank ? &claims_.rank
                                                        : &claims_.region;
  if (claim->size() + data.size() > kMaxClaimBytes) {
    return Error(ErrorCode::kTooLarge,
                 "submission: a claim is longer than " + std::to_string(kMaxClaimBytes) + " bytes");
  }
  SAFEHOUSE_TRY_VOID(charge(data.size()));
  claim->append(reinterpret_cast<const char*>(data.data()), data.size());
  return {};
}

Result<void> Submission::begin_file(std::string file_name, std::string media_type) {
  if (current_ || pending_file_) {
    return Error(ErrorCode::kInternal, "submission: file begun before the last one ended");
  }
  if (items_.size() >= intake_.limits().max_files) {
    return Error(ErrorCode::kTooLarge,
                 "submission: more than " + std::to_string(intake_.limits().max_files) + " files");
  }
  FrameHeader header;
  header.kind = ItemKind::kFile;
  header.file_name = std::move(file_name);
  header.media_type = std::move(media_type);
  header.language = language_;
  pending_file_ = std::move(header);
  return {};
}

Result<void> Submission::start_file_item() {
  auto recipients = intake_.current_recipients();
  if (!recipients) return recipients.error().with_context("submission: file");
  auto item =
      ItemEncryptor::create(*pending_file_, (*recipients)->pointers(), intake_.store().blobs(),
                            store::kMaxInlineBodyBytes, &intake_.sealing_budget_);
  if (!item) return item.error().with_context("submission: file");
  current_ = std::move(*item);
  pending_file_.reset();
  return {};
}

Result<void> Submission::append_file(ByteSpan data) {
  if (data.empty()) return {};
  if (pending_file_) SAFEHOUSE_TRY_VOID(start_file_item());
  if (!current_) return Error(ErrorCode::kInternal, "submission: file data outside a file");
  SAFEHOUSE_TRY_VOID(charge(data.size()));
  return current_->write(data);
}

Result<void> Submission::end_file() {
  if (pending_file_) {
    // No bytes: a file input left empty sends a part with no name.
    if (pending_file_->file_name.empty()) {
      pending_file_.reset();
      return {};
    }
    SAFEHOUSE_TRY_VOID(start_file_item());
  }
  if (!current_) return Error(ErrorCode::kInternal, "submission: file ended twice");
  SAFEHOUSE_TRY_VOID(current_->finish());
  store::ItemBody body = current_->take_body();
  current_.reset();
  if (const auto* ref = std::get_if<store::BlobRef>(&body)) blobs_.push_back(*ref);
  items_.push_back(std::move(body));
  return {};
}

Result<void> Submission::attach_blob(const store::BlobRef& blob) {
  if (current_ || pending_file_) {
    return Error(ErrorCode::kInternal, "submission: blob attached inside a file part");
  }
  if (items_.size() >= intake_.limits().max_files) {
    return Error(ErrorCode::kTooLarge,
                 "submission: more than " + std::to_string(intake_.limits().max_files) + " files");
  }
  SAFEHOUSE_TRY_VOID(charge(blob.size));
  items_.emplace_back(blob);
  return {};
}

Result<store::ItemBody> Submission::encrypt_message() {
  FrameHeader header;
  header.kind = ItemKind::kMessage;
  header.media_type = kTextMediaType;
  header.language = language_;
  if (is_first_contact()) header.claims = claims_;
  auto recipients = intake_.current_recipients();
  Result<store::ItemBody> body =
      recipients
          ? encrypt_item(header, message_, (*recipients)->pointers(), intake_.store().blobs())
          : Result<store::ItemBody>(recipients.error());
  if (header.claims) wipe_claims(*header.claims);
  if (!body) return body.error().with_context("submission: message");
  if (const auto* ref = std::get_if<store::BlobRef>(&*body)) blobs_.push_back(*ref);
  return body;
}

Result<Receipt> Submission::commit() {
  if (committed_) return Error(ErrorCode::kInternal, "submission: committed twice");
  if (current_ || pending_file_) {
    return Error(ErrorCode::kInternal, "submission: a file part did not end");
  }
  if (!is_valid_branch(claims_.branch)) return invalid_argument("submission: unknown branch");
  // Checked here, on the whole text: parts arrive in pieces that may split
  // a character. Bad input changes nothing (invariant 6).
  if (!is_valid_utf8(message_)) return malformed("submission: the message is not valid UTF-8");
  for (const std::string* claim : {&claims_.unit, &claims_.rank, &claims_.region}) {
    if (!is_valid_utf8(*claim)) return malformed("submission: a claim is not valid UTF-8");
  }
  const bool with_message = !message_.empty() || (is_first_contact() && !claims_empty(claims_));
  if (!with_message && items_.empty()) return invalid_argument("submission: nothing to send");

  const store::Day day = intake_.today();
  store::WriteBatch batch;
  store::CaseRef case_ref = store::CaseRef::existing(case_id_);
  std::size_t case_op = 0;
  if (new_source_) {
    batch.create_source(new_source_->source_id, random_alias(), day,
                        new_source_->reply_recipient.to_string());
    case_op = batch.create_case(new_source_->source_id, day, audit_consent_);
    case_ref = store::CaseRef::created_by(case_op);
  }
  std::vector<std::size_t> item_ops;
  std::uint64_t bytes = 0;
  auto add = [&](store::ItemBody body) {
    bytes += std::holds_alternative<store::BlobRef>(body)
                 ? std::get<store::BlobRef>(body).size
                 : std::get<store::InlineBody>(body).ciphertext.size();
    item_ops.push_back(batch.add_item(case_ref, store::Direction::kSource, std::move(body), day));
  };
  if (with_message || is_first_contact()) add(SAFEHOUSE_TRY(encrypt_message()));
  for (store::ItemBody& body : items_) add(std::move(body));
  items_.clear();

  auto result = intake_.store().commit(std::move(batch));
  if (!result) {
    // After kIo or kOutcomeUnknown the records may be there (or reappear
    // on reopen), so their blobs must stay (store.h). Any other error
    // certainly did not commit, and the destructor removes the blobs.
    if (store::commit_may_have_happened(result.error())) committed_ = true;
    return result.error().with_context("submission: store");
  }
  committed_ = true;
  Receipt receipt;
  receipt.case_id = new_source_ ? result->id(case_op) : case_id_;
  for (std::size_t op : item_ops) receipt.item_ids.push_back(result->id(op));
  intake_.count_submission(is_first_contact(), item_ops.size(), bytes);
  return receipt;
}

}  // namespace safehouse::intake
