// SPDX-License-Identifier: AGPL-3.0-or-later
// http/source_internal.h: what the source pages (source_routes.cpp) and the
// multipart uploads they receive (source_uploads.cpp) share: the signed-in
// source's in-memory session state, the pending first contact sealed in a
// visitor's cookie, and the translated error pages. Included by those two
// files and, for SubmissionRate, by source_api.cpp; the listener's
// interface is http/source_routes.h.
#ifndef SAFEHOUSE_HTTP_SOURCE_INTERNAL_H_
#define SAFEHOUSE_HTTP_SOURCE_INTERNAL_H_

#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>

#include "codename/codename.h"
#include "crypto/secret_bytes.h"
#include "http/router.h"
#include "http/source_routes.h"

namespace safehouse::http::source_internal {

// The submissions one session started in the last minute ([quotas]
// submissions_per_session_per_minute), for the pages' sessions and the
// source API's alike. Thread-safe.
class SubmissionRate {
 public:
  // Counts a submission starting now; false if `per_minute` have started
  // in the last minute already (0: no limit).
  bool take(std::uint64_t per_minute) {
    if (per_minute == 0) return true;
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mu_);
    while (!recent_.empty() && now - recent_.front() >= std::chrono::minutes(1)) {
      recent_.pop_front();
    }
    if (recent_.size() >= per_minute) return false;
    recent_.push_back(now);
    return true;
  }

 private:
  std::mutex mu_;
  std::deque<std::chrono::steady_clock::time_point> recent_;  // guarded by mu_
};

// One visitor's state, in memory only. Before first contact it holds what
// the codename just shown stands for (the codename itself is not kept);
// after first contact or sign-in, the same marks the visitor as signed in:
// the source id to file follow-ups under, and the reply identity to decrypt
// replies with. The codename's other keys (the signing key) are dropped at
// once. SecretBytes wipe themselves when the session ends.
class SourceSession final : public SessionState {
 public:
  SourceSession(const store::SourceId& source_id, age::X25519Identity reply_identity)
      : source_id_(source_id), reply_identity_(std::move(reply_identity)) {}
  const store::SourceId& source_id() const { return source_id_; }
  const age::X25519Identity& reply_identity() const { return reply_identity_; }
  bool take_submission(std::uint64_t per_minute) { return submissions_.take(per_minute); }

 private:
  const store::SourceId source_id_;
  const age::X25519Identity reply_identity_;
  SubmissionRate submissions_;
};

std::shared_ptr<SourceSession> source_state(const Session& session);

// A first contact shown but not yet sent: the codename and what it stands
// for, sealed in the visitor's cookie as codename (kSecretBytes) || source id
// (32) || reply identity ("AGE-SECRET-KEY-1..."). Kept there rather than in
// the SessionStore so that (a) anonymous visitors cannot fill the session
// table, (b) a message written for hours is not lost to the idle timeout,
// and (c) every tab and the language switch show the same codename, whose
// form stays valid (docs/routes.md).
struct PendingFirstContact {
  codename::Codename codename;
  store::SourceId source_id;
  age::X25519Identity reply_identity;
};

// The pending first contact a visitor's sealed cookie payload holds;
// nullopt if it holds none.
std::optional<PendingFirstContact> decode_pending(const crypto::SecretBytes& payload);

// The CSRF token of a first-contact form: bound to the visitor and to the
// codename the form was shown with, so a form can only ever file its
// message under the codename its page showed.
std::string first_contact_csrf(SourceContext& ctx, const VisitorId& id,
                               const store::SourceId& source_id);

// The page's language from its /{lang}/ prefix; nullopt if not ours.
std::optional<web::Language> language_of(const Request& request);
Response page(SourceContext& ctx, web::Page which, web::Language language,
              const web::PageData& data, unsigned status = 200);
// The translated error page for `status`.
Response error_page(SourceContext& ctx, unsigned status, web::Language language);
// The error page for an intake or store error (its 4xx or 5xx).
Response error_for(SourceContext& ctx, const Error& error, web::Language language);
// "/en" or "/fa".
std::string prefix(web::Language language);
// A 303 to `location` that sets the session's cookie.
Response redirect_with_cookie(std::string location, const Session& session);

// Checks everything that can be checked before a submission form's body is
// read (source_uploads.cpp); `first_contact` says which form posted.
std::variant<std::unique_ptr<UploadHandler>, Response> start_upload(SourceContext& ctx,
                                                                    Request& request,
                                                                    bool first_contact);

}  // namespace safehouse::http::source_internal

#endif  // SAFEHOUSE_HTTP_SOURCE_INTERNAL_H_
