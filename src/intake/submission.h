// SPDX-License-Identifier: AGPL-3.0-or-later
// intake/submission.h: one submission (a first contact or a follow-up) as
// its form parts arrive. Text fields are buffered (bounded, wiped); each
// file streams straight into its ItemEncryptor. commit() writes everything
// in one store batch and returns only once it is durable; a submission that
// is destroyed uncommitted leaves nothing behind (its blobs are removed).
// Knows the fields' meaning; nothing of HTTP or multipart syntax.
#ifndef SAFEHOUSE_INTAKE_SUBMISSION_H_
#define SAFEHOUSE_INTAKE_SUBMISSION_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "age/x25519.h"
#include "base/byte_stream.h"
#include "intake/frame.h"
#include "intake/item_encryptor.h"
#include "store/types.h"

namespace safehouse::intake {

class Intake;

struct SubmissionLimits {
  std::uint64_t max_message_bytes = 1 << 20;  // the message text field
  std::size_t max_files = 64;                 // file parts of one submission
};

// Longest claim field, bytes (each fits a frame header field).
inline constexpr std::size_t kMaxClaimBytes = 256;

// The text fields of the forms (routes.md).
enum class TextField { kMessage, kClaimBranch, kClaimUnit, kClaimRank, kClaimRegion };

// The value of a ticked audit_consent checkbox (the form's and the JSON
// API's "yes"/true: docs/routes.md).
inline constexpr std::string_view kAuditConsentYes = "yes";

// The allowed values of claim_branch ("" means not said).
bool is_valid_branch(std::string_view branch);

// What a source is, publicly, before its first contact is stored: the keys
// derived from its fresh codename minus the secret parts.
struct NewSource {
  store::SourceId source_id{};
  age::X25519Recipient reply_recipient;
};

// What commit() stored.
struct Receipt {
  store::CaseId case_id = 0;
  std::vector<store::ItemId> item_ids;  // message first, then files in order
};

// Thread safety: none; one request's parts, in order.
class Submission {
 public:
  ~Submission();
  Submission(const Submission&) = delete;
  Submission& operator=(const Submission&) = delete;

  // Appends to a text field. kTooLarge beyond the field's limit; claims are
  // refused on a follow-up (kInvalidArgument).
  Result<void> append_text(TextField field, ByteSpan data);

  // The first-contact form's audit_consent checkbox (docs/routes.md): the
  // source consents to an accredited observer reading this case for a
  // sampled audit. `value` is the field's whole value; "yes" (a ticked box)
  // is the only one: anything else, or the field twice, is kMalformed; on
  // a follow-up kInvalidArgument (consent is given at first contact only).
  // Unticked, the field is absent: no consent.
  Result<void> set_audit_consent(std::string_view value);

  // A file part: begin, any number of appends, end. A part with no name and
  // no bytes (a browser's empty file input) is dropped. kTooLarge beyond
  // max_files.
  Result<void> begin_file(std::string file_name, std::string media_type);
  Result<void> append_file(ByteSpan data);
  Result<void> end_file();

  // A file item whose age file the source's browser made and uploaded (a
  // complete upload of intake/resumable_uploads.h, checked there): stored
  // as it is. Counts against max_files and the daily quota. The blob is
  // not removed if the submission is not committed (the upload still has it).
  Result<void> attach_blob(const store::BlobRef& blob);

  // Encrypts the message item, then stores all items (and, for a first
  // contact, the source and its case) in one batch. Durable on success.
  // kInvalidArgument when there is nothing to send or a claim is invalid.
  Result<Receipt> commit();

  bool is_first_contact() const { return new_source_.has_value(); }
  std::size_t files() const { return items_.size(); }

 private:
  friend class Intake;
  Submission(Intake& intake, std::string language, std::optional<NewSource> new_source,
             const store::SourceId& source_id, store::CaseId case_id);
  // Counts arriving bytes against the source's daily quota and checks the
  // free-space reserve at the first byte, then whenever the bytes since the
  // last check pass what was left above the reserve or kSpaceCheckBytes.
  Result<void> charge(std::size_t bytes);
  Result<void> start_file_item();
  Result<store::ItemBody> encrypt_message();
  void remove_blobs();

  Intake& intake_;
  std::string language_;
  std::optional<NewSource> new_source_;
  store::CaseId case_id_ = 0;  // follow-ups
  Bytes message_;              // plaintext: wiped on growth and at the end
  Claims claims_;
  bool audit_consent_ = false;
  bool audit_consent_given_ = false;    // the field came (once only)
  std::vector<store::ItemBody> items_;  // finished file items, in order
  std::vector<store::BlobRef> blobs_;   // every blob made, removed unless committed
  std::unique_ptr<ItemEncryptor> current_;
  std::optional<FrameHeader> pending_file_;  // begun, no byte yet
  bool committed_ = false;
  store::SourceId source_id_{};
  store::Day day_ = 0;                   // the day the quota is charged to
  std::uint64_t charged_ = 0;            // given back unless committed
  std::uint64_t unchecked_bytes_ = 0;    // since the last free-space check
  std::uint64_t unchecked_allowed_ = 0;  // may come before the next check
};

}  // namespace safehouse::intake

#endif  // SAFEHOUSE_INTAKE_SUBMISSION_H_
