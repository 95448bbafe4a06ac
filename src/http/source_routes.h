// SPDX-License-Identifier: AGPL-3.0-or-later
// http/source_routes.h: the source listener's routes (docs/routes.md):
// landing, first contact, sign-in, inbox, follow-ups, sign-out, static
// files and /api/v1/metadata. Thin: parse the request, call intake/, render
// with web/. The source's session state (a codename's derived keys, held in
// memory only) lives here too; a visitor who has not signed in has no
// server-side state at all (the pending first contact is sealed into the
// visitor's cookie, http/visitor_tokens.h).
#ifndef SAFEHOUSE_HTTP_SOURCE_ROUTES_H_
#define SAFEHOUSE_HTTP_SOURCE_ROUTES_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "http/fair_budget.h"
#include "http/log_publication_routes.h"
#include "http/router.h"
#include "http/session_store.h"
#include "http/visitor_tokens.h"
#include "intake/intake.h"
#include "tlog/note.h"
#include "web/renderer.h"

namespace safehouse::http {

// What the pages and the metadata endpoint show about the installation.
struct SourceSite {
  std::string organisation_name;
  std::string log_verifier_key;         // "name+hash+base64"
  std::vector<std::string> recipients;  // age1... (the recipient set at start)
  std::uint64_t max_upload_bytes = std::uint64_t{2} << 30;
  // Where `GET /` leads when the browser's Accept-Language names neither
  // language we have.
  web::Language default_language = web::Language::kEnglish;
  // Quotas (config [quotas]); 0 means no limit.
  std::uint64_t sign_in_failures_per_session = 0;
  std::uint64_t submissions_per_session_per_minute = 0;
  // The genuine onion addresses (config [onion]) and their note signed with
  // the log key, shown on the landing page; empty: no such section.
  std::vector<std::string> onion_addresses = {};
  std::string onion_note = {};
};

// Everything the routes use. Lifetime: outlives the router and the server.
struct SourceContext {
  SourceSite site;
  intake::Intake& intake;
  const web::Renderer& renderer;
  SessionStore& sessions;   // signed-in sources only
  VisitorTokens& visitors;  // everyone else: state sealed into their cookie
  // The global sign-in budget (config [quotas] sign_ins_per_minute); null:
  // none. Must outlive the server.
  FairBudget* sign_in_budget = nullptr;
  // The recipient set as it is now (serve re-reads keys/recipients.txt), for
  // the signed note at /api/v1/metadata and the check of pre-encrypted
  // items; null: site.recipients.
  std::function<Result<std::vector<std::string>>()> live_recipients = {};
  // Signs the recipient-set note (the organisation's log key); null: the
  // metadata has no note, and the JavaScript page refuses to send.
  const tlog::NoteSigner* note_signer = nullptr;
  // The statements /log/statements/ lists, for the landing page's list of
  // published figures (http/log_pages.h); null: the list is empty.
  std::function<Result<std::vector<StatementListing>>()> statements = {};
};

// A signed-in source, as other source-listener routes (http/tus_routes.h)
// see it: whose session the request's cookie names. Any session created
// with the source id's hex as its owner counts (the pages' sessions and
// those of the source API alike).
struct SignedInSource {
  store::SourceId source_id{};
  std::string csrf_token;  // the session's, for an X-CSRF-Token header
};
// nullopt when the request's cookie names no signed-in session.
std::optional<SignedInSource> signed_in_source(SourceContext& ctx, const Request& request);

// The session the request's cookie names (the pages' and the source API's
// alike); nullopt when it names none.
std::optional<Session> find_session(SourceContext& ctx, const Request& request);
// A visitor who has not signed in: the same cookie name as a session (one
// has one or the other), its value a sealed VisitorTokens cookie opened
// here; nullopt when it is not one.
std::optional<Visitor> find_visitor(SourceContext& ctx, const Request& request);
// A source's sessions' owner: its id in hex, so that one source holds at
// most SessionStore::kMaxSessionsPerOwner sessions.
std::string owner_of(const store::SourceId& source_id);

// The first line of the recipient-set note (docs/web-client.md): a note
// signed by the log key is read as a recipient set only if it starts so.
inline constexpr std::string_view kRecipientNoteHeader = "safehouse/recipients/v1";

// The Content-Security-Policy of the JavaScript page: the source listener's
// policy plus same-origin scripts and fetches, nothing else.
inline constexpr std::string_view kScriptPageCsp =
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; "
    "font-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'";

// The recipient set now: live_recipients() if set, else site.recipients.
Result<std::vector<std::string>> current_recipients(const SourceContext& context);

// The signed note of `recipients` (kRecipientNoteHeader, one recipient a
// line), signed with context.note_signer; kUnavailable without a signer.
Result<std::string> recipient_note(const SourceContext& context,
                                   const std::vector<std::string>& recipients);

// Registers every source route and the translated error pages on `router`,
// the JavaScript client's API (add_source_api_routes) included.
void add_source_routes(Router& router, SourceContext& context);

// The JavaScript client's JSON API (http/source_api.cpp, docs/routes.md):
// /api/v1/challenge, sign-in, submissions, replies, sign-out.
void add_source_api_routes(Router& router, SourceContext& context);

}  // namespace safehouse::http

#endif  // SAFEHOUSE_HTTP_SOURCE_ROUTES_H_
