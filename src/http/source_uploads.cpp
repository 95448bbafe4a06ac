// SPDX-License-Identifier: AGPL-3.0-or-later
// http/source_uploads.cpp: the multipart bodies of the source's two
// submission forms (first contact, follow-up), fed into intake as they
// arrive. Never logs anything about a request.
#include <charconv>

#include "http/multipart.h"
#include "http/source_internal.h"

namespace safehouse::http::source_internal {

namespace {

// Longest CSRF field accepted in a multipart body (tokens are 64 hex).
constexpr std::size_t kMaxCsrfFieldBytes = 128;

// Feeds a multipart submission form into an intake::Submission as it
// arrives. The first part must be the CSRF token; nothing is stored before
// it matched, and nothing at all unless the whole body arrived and parsed.
class SubmissionUpload final : public UploadHandler {
 public:
  // `new_source` is the pending first contact's state (null for a
  // follow-up): once the message is stored it becomes a session's, with
  // `expected_csrf` as that session's CSRF token so that the same form
  // posted from another tab stays valid (it becomes a follow-up).
  SubmissionUpload(SourceContext& ctx, web::Language language, std::string expected_csrf,
                   std::shared_ptr<SourceSession> new_source,
                   std::unique_ptr<intake::Submission> submission, std::string boundary)
      : ctx_(ctx),
        language_(language),
        expected_csrf_(std::move(expected_csrf)),
        new_source_(std::move(new_source)),
        submission_(std::move(submission)),
        parser_(std::move(boundary),
                MultipartParser::Callbacks{[this](const PartHeaders& h) { return begin_part(h); },
                                           [this](ByteSpan data) { return part_data(data); },
                                           [this] { return end_part(); }}) {}

  Result<void> on_body(ByteSpan chunk) override { return parser_.feed(chunk); }

  Response finish() override {
    auto parsed = parser_.finish();
    if (!parsed) return fail(parsed.error());
    if (!csrf_ok_) return fail(Error(ErrorCode::kNoMatch, "csrf: token missing"));
    auto receipt = submission_->commit();
    if (!receipt) return fail(receipt.error());
    submission_.reset();
    if (!new_source_) return Response::redirect_see_other(prefix(language_) + "/inbox?sent=1");
    // First contact stored: the visitor is now a source, with a session.
    auto session =
        ctx_.sessions.create(new_source_, expected_csrf_, owner_of(new_source_->source_id()));
    // The message is stored either way; with the session table full (a
    // flood of sign-ins) the source signs in with the codename later.
    if (!session) return Response::redirect_see_other(prefix(language_) + "/login");
    return redirect_with_cookie(prefix(language_) + "/inbox?sent=1", *session);
  }

  Response fail(const Error& error) override {
    submission_.reset();  // removes every blob it made
    return error_for(ctx_, error, language_);
  }

 private:
  enum class Field { kNone, kCsrf, kText, kConsent, kFile };
  // Longer than any valid audit_consent value: refused as it arrives.
  static constexpr std::size_t kMaxConsentFieldBytes = 16;

  Result<void> begin_part(const PartHeaders& h) {
    if (!csrf_ok_ && h.field_name != "csrf") {
      return Error(ErrorCode::kNoMatch, "csrf: the token must come first");
    }
    if (h.field_name == "csrf") {
      field_ = Field::kCsrf;
      csrf_.clear();
      return {};
    }
    static const std::pair<std::string_view, intake::TextField> kTextFields[] = {
        {"message", intake::TextField::kMessage},
        {"claim_branch", intake::TextField::kClaimBranch},
        {"claim_unit", intake::TextField::kClaimUnit},
        {"claim_rank", intake::TextField::kClaimRank},
        {"claim_region", intake::TextField::kClaimRegion}};
    for (const auto& [name, field] : kTextFields) {
      if (h.field_name == name) {
        field_ = Field::kText;
        text_field_ = field;
        return {};
      }
    }
    if (h.field_name == "audit_consent") {
      field_ = Field::kConsent;
      consent_.clear();
      return {};
    }
    if (h.field_name == "files") {
      field_ = Field::kFile;
      const std::string name =
          h.file_name && !h.file_name->empty() ? sanitize_file_name(*h.file_name) : "";
      return submission_->begin_file(name, h.content_type);
    }
    return malformed("form: unknown field");
  }

  Result<void> part_data(ByteSpan data) {
    switch (field_) {
      case Field::kCsrf:
        if (csrf_.size() + data.size() > kMaxCsrfFieldBytes) return malformed("csrf: too long");
        csrf_.append(reinterpret_cast<const char*>(data.data()), data.size());
        return {};
      case Field::kText:
        return submission_->append_text(text_field_, data);
      case Field::kConsent:
        if (consent_.size() + data.size() > kMaxConsentFieldBytes) {
          return malformed("form: audit_consent is not \"yes\"");
        }
        consent_.append(reinterpret_cast<const char*>(data.data()), data.size());
        return {};
      case Field::kFile:
        return submission_->append_file(data);
      case Field::kNone:
        break;
    }
    return Error(ErrorCode::kInternal, "form: data outside a part");
  }

  Result<void> end_part() {
    const Field ended = std::exchange(field_, Field::kNone);
    if (ended == Field::kCsrf) {
      if (!csrf_matches(expected_csrf_, csrf_)) {
        return Error(ErrorCode::kNoMatch, "csrf: token does not match");
      }
      csrf_ok_ = true;
    }
    if (ended == Field::kConsent) return submission_->set_audit_consent(consent_);
    if (ended == Field::kFile) return submission_->end_file();
    return {};
  }

  SourceContext& ctx_;
  web::Language language_;
  std::string expected_csrf_;
  std::shared_ptr<SourceSession> new_source_;
  std::unique_ptr<intake::Submission> submission_;
  MultipartParser parser_;
  Field field_ = Field::kNone;
  intake::TextField text_field_ = intake::TextField::kMessage;
  std::string csrf_;
  std::string consent_;  // the audit_consent field's value
  bool csrf_ok_ = false;
};

}  // namespace

// Checks everything that can be checked before the body is read: the
// language, who posts, the content type. `first_contact` says which form
// posted. A signed-in source's post is a follow-up, whichever form it came
// from (the first-contact form sent again from a second tab after the first
// one's). A first contact takes the pending codename from the visitor's
// cookie, however long ago the form was shown.
std::variant<std::unique_ptr<UploadHandler>, Response> start_upload(SourceContext& ctx,
                                                                    Request& request,
                                                                    bool first_contact) {
  auto language = language_of(request);
  if (!language) return error_page(ctx, 404, web::Language::kEnglish);
  auto session = find_session(ctx, request);
  auto state = session ? source_state(*session) : nullptr;
  std::optional<Visitor> visitor;
  std::optional<PendingFirstContact> pending;
  if (!state && first_contact) {
    visitor = find_visitor(ctx, request);
    if (visitor) pending = decode_pending(visitor->payload);
  }
  if (!state && !pending) return error_page(ctx, 403, *language);
  auto type = request.header("content-type");
  auto boundary = boundary_from_content_type(type ? *type : std::string_view());
  if (!boundary) return error_for(ctx, boundary.error(), *language);
  // Quotas, before any body byte is read: free space for what is announced,
  // the source's bytes today, the session's submissions this minute.
  std::uint64_t declared = 0;
  if (auto length = request.header("content-length")) {
    std::from_chars(length->data(), length->data() + length->size(), declared);
  }
  if (auto space = ctx.intake.check_free_space(declared); !space) {
    return error_for(ctx, space.error(), *language);
  }
  if (auto quota = ctx.intake.check_daily_quota(state ? state->source_id() : pending->source_id);
      !quota) {
    return error_for(ctx, quota.error(), *language);
  }
  // A first contact has no session to count in: each needs its own
  // codename's key derivation, which the key-derivation budget limits.
  if (state && !state->take_submission(ctx.site.submissions_per_session_per_minute)) {
    return error_page(ctx, 429, *language);
  }
  std::string lang(web::code(*language));
  if (state) {
    auto follow_up = ctx.intake.start_follow_up(state->source_id(), lang);
    if (!follow_up) return error_for(ctx, follow_up.error(), *language);
    return std::make_unique<SubmissionUpload>(ctx, *language, session->csrf_token, nullptr,
                                              std::move(*follow_up), std::move(*boundary));
  }
  std::string expected = first_contact_csrf(ctx, visitor->id, pending->source_id);
  auto new_source =
      std::make_shared<SourceSession>(pending->source_id, std::move(pending->reply_identity));
  // The first contact is the first submission of the session it will start.
  new_source->take_submission(ctx.site.submissions_per_session_per_minute);
  auto submission = ctx.intake.start_first_contact(
      intake::NewSource{new_source->source_id(), new_source->reply_identity().recipient()}, lang);
  return std::make_unique<SubmissionUpload>(ctx, *language, std::move(expected),
                                            std::move(new_source), std::move(submission),
                                            std::move(*boundary));
}

}  // namespace safehouse::http::source_internal
