// SPDX-License-Identifier: AGPL-3.0-or-later
// http/source_routes.cpp: the source pages. Every handler: check the
// language and the session, parse, call intake::Intake, render. Errors
// become the translated error page with their 4xx and change nothing.
// Never logs anything about a request.
#include "http/source_routes.h"

#include <sodium.h>

#include <algorithm>
#include <boost/json.hpp>

#include "codename/codename.h"
#include "codename/source_keys.h"
#include "crypto/secret_bytes.h"
#include "http/cookies.h"
#include "http/form.h"
#include "http/log_pages.h"
#include "http/source_internal.h"
#include "intake/sources.h"
#include "web/static_files.h"

namespace safehouse::http {

namespace {

// Urlencoded bodies of login and logout.
constexpr std::size_t kSmallFormBytes = 4096;
constexpr std::string_view kStaticCacheControl = "public, max-age=3600";

}  // namespace

namespace source_internal {

std::shared_ptr<SourceSession> source_state(const Session& session) {
  return std::dynamic_pointer_cast<SourceSession>(session.state);
}

std::optional<PendingFirstContact> decode_pending(const crypto::SecretBytes& payload) {
  constexpr std::size_t kHead = codename::Codename::kSecretBytes + sizeof(store::SourceId);
  auto bytes = payload.reveal();
  if (bytes.size() <= kHead) return std::nullopt;
  auto codename = codename::Codename::from_secret(
      crypto::SecretBytes::copy_of(bytes.first(codename::Codename::kSecretBytes)));
  const auto text = bytes.subspan(kHead);
  auto identity = age::X25519Identity::parse(
      std::string_view(reinterpret_cast<const char*>(text.data()), text.size()));
  if (!codename || !identity) return std::nullopt;
  store::SourceId source_id;
  std::copy_n(bytes.begin() + codename::Codename::kSecretBytes, source_id.size(),
              source_id.begin());
  return PendingFirstContact{std::move(*codename), source_id, std::move(*identity)};
}

// The CSRF token of a first-contact form: bound to the visitor and to the
// codename the form was shown with, so a form can only ever file its
// message under the codename its page showed.
std::string first_contact_csrf(SourceContext& ctx, const VisitorId& id,
                               const store::SourceId& source_id) {
  return ctx.visitors.csrf_for(id, source_id);
}

std::optional<web::Language> language_of(const Request& request) {
  return web::parse_language(request.path_param("lang"));
}

Response page(SourceContext& ctx, web::Page which, web::Language language,
              const web::PageData& data, unsigned status) {
  return Response::html(ctx.renderer.render(which, language, data), status);
}

Response error_page(SourceContext& ctx, unsigned status, web::Language language) {
  web::PageData data;
  data.set_number("status", status);
  return page(ctx, web::Page::kError, language, data, status);
}

Response error_for(SourceContext& ctx, const Error& error, web::Language language) {
  if (error.code() == ErrorCode::kOutcomeUnknown) {
    // The database went away during COMMIT: 503 like any outage, but the
    // page must not say "nothing was changed" — it may have been saved.
    web::PageData data;
    data.set_number("status", 503);
    data.set_flag("outcome_unknown", true);
    return page(ctx, web::Page::kError, language, data, 503);
  }
  return error_page(ctx, status_for(error), language);
}

std::string prefix(web::Language language) {
  return "/" + std::string(web::code(language));
}

Response redirect_with_cookie(std::string location, const Session& session) {
  Response response = Response::redirect_see_other(std::move(location));
  response.add_header("Set-Cookie", set_cookie_value(kSessionCookieName, session.token));
  return response;
}

}  // namespace source_internal

namespace {

using namespace source_internal;

// ---- visitors who have not signed in (no server-side state) ----

crypto::SecretBytes encode_pending(const codename::Codename& codename,
                                   const codename::SourceKeys& keys) {
  const crypto::SecretBytes identity = keys.reply_identity.to_string();
  crypto::SecretBytes payload(codename::Codename::kSecretBytes + keys.source_id.size() +
                              identity.size());
  auto out = payload.reveal().begin();
  out = std::copy(codename.reveal().begin(), codename.reveal().end(), out);
  out = std::copy(keys.source_id.begin(), keys.source_id.end(), out);
  std::copy(identity.reveal().begin(), identity.reveal().end(), out);
  return payload;
}

// Overwrites a string this request owns but that an API hands out as const.
void wipe_text(const std::string& text) {
  auto& owned = const_cast<std::string&>(text);
  crypto::wipe({reinterpret_cast<std::uint8_t*>(owned.data()), owned.size()});
}

// ---- responses ----

codename::Language codename_language(web::Language language) {
  return language == web::Language::kPersian ? codename::Language::kPersian
                                             : codename::Language::kEnglish;
}

bool is_content_type(const Request& request, std::string_view expected) {
  auto type = request.header("content-type");
  if (!type) return false;
  std::string_view value = *type;
  value = value.substr(0, value.find(';'));
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.size() != expected.size()) return false;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) != expected[i]) return false;
  }
  return true;
}

// Parses a small urlencoded form and checks its CSRF token against
// `expected` (the session's or the visitor's): 415, 400 or 403 as a
// Response, or the form.
std::variant<Form, Response> checked_form(SourceContext& ctx, const Request& request,
                                          std::string_view expected, web::Language language) {
  if (!is_content_type(request, "application/x-www-form-urlencoded")) {
    return error_page(ctx, 415, language);
  }
  auto form = Form::parse(request.body());
  if (!form) return error_for(ctx, form.error(), language);
  auto csrf = form->get("csrf");
  if (!csrf || !csrf_matches(expected, *csrf)) return error_page(ctx, 403, language);
  return std::move(*form);
}

// ---- pages ----

Response landing(SourceContext& ctx, Request& request) {
  auto language = language_of(request);
  if (!language) return error_page(ctx, 404, web::Language::kEnglish);
  web::PageData data;
  data.set_text("log_verifier_key", ctx.site.log_verifier_key);
  if (!ctx.site.onion_note.empty()) {
    std::vector<web::PageData> onions;
    for (const std::string& address : ctx.site.onion_addresses) {
      web::PageData item;
      item.set_text("address", address);
      onions.push_back(std::move(item));
    }
    data.set_list("onions", std::move(onions));
    data.set_text("onion_note", ctx.site.onion_note);
  }
  // The published figures; the page is still served if the log is away.
  if (ctx.statements) {
    if (auto statements = ctx.statements()) {
      data.set_list("statements", statement_items(*statements));
    } else {
      data.set_flag("statements_unavailable", true);
    }
  }
  return page(ctx, web::Page::kLanding, *language, data);
}

// Runs on the key-derivation pool: a new codename's keys are derived here,
// the Argon2id work a sign-in does, so that the upload need not. A visitor
// whose cookie already holds a pending first contact sees the same codename
// again (another tab, the language switch) and nothing is derived; a
// signed-in source is sent to the inbox. Creates no server-side state.
Response first_contact_form(SourceContext& ctx, Request& request) {
  auto language = language_of(request);
  if (!language) return error_page(ctx, 404, web::Language::kEnglish);
  if (auto session = find_session(ctx, request); session && source_state(*session)) {
    return Response::redirect_see_other(prefix(*language) + "/inbox");
  }
  auto visitor = find_visitor(ctx, request);
  const VisitorId id = visitor ? visitor->id : VisitorTokens::new_id();
  std::optional<PendingFirstContact> pending;
  if (visitor) pending = decode_pending(visitor->payload);
  std::optional<std::string> new_cookie;
  if (!pending) {
    codename::Codename codename = codename::Codename::generate();
    codename::SourceKeys keys = codename::derive_source_keys(codename);
    new_cookie = ctx.visitors.seal(id, encode_pending(codename, keys).reveal());
    pending =
        PendingFirstContact{std::move(codename), keys.source_id, std::move(keys.reply_identity)};
  }
  web::PageData data;
  // The page is the only copy of the words that leaves this function.
  std::string words = pending->codename.render(codename_language(*language));
  data.set_secret("codename", words);
  wipe_text(words);
  data.set_text("csrf", first_contact_csrf(ctx, id, pending->source_id));
  Response response = page(ctx, web::Page::kFirstContact, *language, data);
  if (new_cookie)
    response.add_header("Set-Cookie", set_cookie_value(kSessionCookieName, *new_cookie));
  return response;
}

// Creates no server-side state: a visitor without a session gets a sealed
// cookie naming a random visitor id, and a CSRF token bound to it.
Response login_form(SourceContext& ctx, Request& request) {
  auto language = language_of(request);
  if (!language) return error_page(ctx, 404, web::Language::kEnglish);
  web::PageData data;
  std::optional<std::string> new_cookie;
  if (auto session = find_session(ctx, request)) {
    data.set_text("csrf", session->csrf_token);
  } else {
    auto visitor = find_visitor(ctx, request);
    const VisitorId id = visitor ? visitor->id : VisitorTokens::new_id();
    if (!visitor) new_cookie = ctx.visitors.seal(id, {});
    data.set_text("csrf", ctx.visitors.csrf_for(id));
  }
  Response response = page(ctx, web::Page::kLogin, *language, data);
  if (new_cookie)
    response.add_header("Set-Cookie", set_cookie_value(kSessionCookieName, *new_cookie));
  return response;
}

// Runs on the key-derivation pool. Intake::sign_in does the same Argon2id
// work for a malformed, an unknown and a known codename. Only a successful
// sign-in creates a session (a new token: one planted before sign-in is
// useless after it).
Response login(SourceContext& ctx, Request& request) {
  auto language = language_of(request);
  if (!language) return error_page(ctx, 404, web::Language::kEnglish);
  auto session = find_session(ctx, request);
  // Who is signing in: a session (a signed-in source signing in again) or a
  // visitor, whose failures are counted in the cookie (no server state).
  std::optional<Visitor> visitor;
  std::string expected;
  unsigned failures = 0;
  if (session) {
    expected = session->csrf_token;
    failures = session->sign_in_failures;
  } else if ((visitor = find_visitor(ctx, request))) {
    expected = ctx.visitors.csrf_for(visitor->id);
    failures = visitor->sign_in_failures;
  } else {
    return error_page(ctx, 403, *language);
  }
  const std::uint64_t failures_allowed = ctx.site.sign_in_failures_per_session;
  if (failures_allowed != 0 && failures >= failures_allowed) {
    // This visitor has guessed enough: the cookie ends, a new one must start.
    wipe_text(request.body());
    if (session) ctx.sessions.destroy(session->token);
    Response response = error_page(ctx, 429, *language);
    response.add_header("Set-Cookie", clear_cookie_value(kSessionCookieName));
    return response;
  }
  auto form = checked_form(ctx, request, expected, *language);
  if (auto* rejected = std::get_if<Response>(&form)) return std::move(*rejected);
  auto typed = std::get<Form>(form).get("codename");
  auto keys = ctx.intake.sign_in(typed ? *typed : std::string_view());
  // The typed codename must not linger in freed memory: wipe the body and
  // the parsed fields (both are this request's own, non-const objects).
  wipe_text(request.body());
  for (const auto& [name, value] : std::get<Form>(form).fields()) wipe_text(value);
  if (!keys) {
    if (keys.error().code() != ErrorCode::kNoMatch) return error_for(ctx, keys.error(), *language);
    // Wrong and malformed codenames count alike and get the same page.
    web::PageData data;
    data.set_text("csrf", expected);
    data.set_flag("error", true);
    Response response = page(ctx, web::Page::kLogin, *language, data);
    if (session) {
      ctx.sessions.add_sign_in_failure(session->token);
    } else {
      // The same visitor (id, CSRF token, pending first contact), one more
      // failure.
      response.add_header("Set-Cookie",
                          set_cookie_value(kSessionCookieName,
                                           ctx.visitors.seal(visitor->id, visitor->payload.reveal(),
                                                             visitor->sign_in_failures + 1)));
    }
    return response;
  }
  if (session) ctx.sessions.destroy(session->token);
  auto created = ctx.sessions.create(
      std::make_shared<SourceSession>(keys->source_id, std::move(keys->reply_identity)), {},
      owner_of(keys->source_id));
  if (!created) return error_for(ctx, created.error(), *language);
  return redirect_with_cookie(prefix(*language) + "/inbox", *created);
}

Response inbox(SourceContext& ctx, Request& request) {
  auto language = language_of(request);
  if (!language) return error_page(ctx, 404, web::Language::kEnglish);
  auto session = find_session(ctx, request);
  auto state = session ? source_state(*session) : nullptr;
  if (!state) return Response::redirect_see_other(prefix(*language) + "/login");
  auto replies = ctx.intake.replies(state->source_id(), state->reply_identity());
  if (!replies) return error_for(ctx, replies.error(), *language);
  std::vector<web::PageData> items;
  for (intake::Reply& reply : *replies) {
    web::PageData item;
    item.set_localized("day", intake::format_day(reply.day));
    item.set_secret("text", reply.text);
    crypto::wipe({reinterpret_cast<std::uint8_t*>(reply.text.data()), reply.text.size()});
    items.push_back(std::move(item));
  }
  web::PageData data;
  data.set_text("csrf", session->csrf_token);
  data.set_flag("sent", request.query("sent") == "1");
  data.set_list("replies", std::move(items));
  return page(ctx, web::Page::kInbox, *language, data);
}

Response logout(SourceContext& ctx, Request& request) {
  auto language = language_of(request);
  if (!language) return error_page(ctx, 404, web::Language::kEnglish);
  auto session = find_session(ctx, request);
  if (!session) return error_page(ctx, 403, *language);
  auto form = checked_form(ctx, request, session->csrf_token, *language);
  if (auto* rejected = std::get_if<Response>(&form)) return std::move(*rejected);
  ctx.sessions.destroy(session->token);
  Response response = Response::redirect_see_other(prefix(*language) + "/");
  response.add_header("Set-Cookie", clear_cookie_value(kSessionCookieName));
  return response;
}

Response static_file(Request& request) {
  auto file = web::find_static(request.path_param("*"));
  if (!file) return Response::text("404 Not Found", 404);
  Response response = Response::file(std::string(file->content_type), std::string(file->bytes));
  response.set_header("Cache-Control", std::string(kStaticCacheControl));
  return response;
}

// The JavaScript page: the only page with a script (/static/source.js), so
// the only one whose policy allows same-origin scripts and fetches. The
// no-JavaScript pages keep their policy without script-src.
Response app_page(SourceContext& ctx, Request& request) {
  auto language = language_of(request);
  if (!language) return error_page(ctx, 404, web::Language::kEnglish);
  web::PageData data;
  data.set_text("log_verifier_key", ctx.site.log_verifier_key);
  Response response = page(ctx, web::Page::kApp, *language, data);
  response.set_header("Content-Security-Policy", std::string(kScriptPageCsp));
  return response;
}

// Read afresh on every request: a changed recipient set is published at once.
Response metadata(SourceContext& ctx) {
  auto live = current_recipients(ctx);
  if (!live) return Response::json(R"({"error":"unavailable"})", 503);
  boost::json::array recipients;
  for (const auto& r : *live) recipients.emplace_back(r);
  boost::json::object object{{"organisation", ctx.site.organisation_name},
                             {"log_verifier_key", ctx.site.log_verifier_key},
                             {"recipients", std::move(recipients)}};
  if (auto note = recipient_note(ctx, *live)) object["recipients_note"] = *note;
  return Response::json(boost::json::serialize(object));
}

}  // namespace

std::optional<Session> find_session(SourceContext& ctx, const Request& request) {
  auto token = request.cookie(kSessionCookieName);
  if (!token) return std::nullopt;
  return ctx.sessions.find(*token);
}

std::optional<Visitor> find_visitor(SourceContext& ctx, const Request& request) {
  auto token = request.cookie(kSessionCookieName);
  if (!token) return std::nullopt;
  return ctx.visitors.open(*token);
}

std::string owner_of(const store::SourceId& source_id) {
  return intake::source_id_hex(source_id);
}

std::optional<SignedInSource> signed_in_source(SourceContext& ctx, const Request& request) {
  auto session = find_session(ctx, request);
  if (!session) return std::nullopt;
  SignedInSource source;
  if (session->owner.size() != source.source_id.size() * 2 ||
      sodium_hex2bin(source.source_id.data(), source.source_id.size(), session->owner.data(),
                     session->owner.size(), nullptr, nullptr, nullptr) != 0) {
    return std::nullopt;  // not signed in (no owner)
  }
  source.csrf_token = session->csrf_token;
  return source;
}

Result<std::vector<std::string>> current_recipients(const SourceContext& context) {
  if (!context.live_recipients) return context.site.recipients;
  return context.live_recipients();
}

Result<std::string> recipient_note(const SourceContext& context,
                                   const std::vector<std::string>& recipients) {
  if (context.note_signer == nullptr) {
    return Error(ErrorCode::kUnavailable, "recipient note: no signer");
  }
  std::string text(kRecipientNoteHeader);
  text += '\n';
  for (const std::string& recipient : recipients) text += recipient + '\n';
  const tlog::NoteSigner* signers[] = {context.note_signer};
  return tlog::sign_note(text, signers);
}

void add_source_routes(Router& router, SourceContext& context) {
  SourceContext& ctx = context;
  router.set_error_pages([&ctx](unsigned status, const Request& request) {
    const bool persian = request.path().starts_with("/fa/") || request.path() == "/fa";
    return error_page(ctx, status, persian ? web::Language::kPersian : web::Language::kEnglish);
  });
  // The browser's language if it names one of ours, else the organisation's.
  router.get("/", [&ctx](Request& r) {
    auto accept = r.header("accept-language");
    auto language = accept ? web::preferred_language(*accept) : std::nullopt;
    Response response =
        Response::redirect_see_other(prefix(language.value_or(ctx.site.default_language)) + "/");
    response.add_header("Vary", "Accept-Language");
    return response;
  });
  router.get("/{lang}", [&ctx](Request& r) {
    auto language = language_of(r);
    if (!language) return error_page(ctx, 404, web::Language::kEnglish);
    return Response::redirect_see_other(prefix(*language) + "/");
  });
  router.get("/{lang}/", [&ctx](Request& r) { return landing(ctx, r); });
  router.get(
      "/{lang}/first-contact", [&ctx](Request& r) { return first_contact_form(ctx, r); },
      RouteOptions{kDefaultBodyLimitBytes, Pool::kKeyDerivation});
  router.post_upload(
      "/{lang}/first-contact", [&ctx](Request& r) { return start_upload(ctx, r, true); },
      ctx.site.max_upload_bytes);
  router.get("/{lang}/login", [&ctx](Request& r) { return login_form(ctx, r); });
  router.post(
      "/{lang}/login", [&ctx](Request& r) { return login(ctx, r); },
      RouteOptions{kSmallFormBytes, Pool::kKeyDerivation, ctx.sign_in_budget});
  router.get("/{lang}/inbox", [&ctx](Request& r) { return inbox(ctx, r); });
  router.post_upload(
      "/{lang}/inbox", [&ctx](Request& r) { return start_upload(ctx, r, false); },
      ctx.site.max_upload_bytes);
  router.post(
      "/{lang}/logout", [&ctx](Request& r) { return logout(ctx, r); },
      RouteOptions{kSmallFormBytes, Pool::kWorker});
  router.get("/{lang}/app", [&ctx](Request& r) { return app_page(ctx, r); });
  router.get("/static/*", [](Request& r) { return static_file(r); });
  router.get("/api/v1/metadata", [&ctx](Request&) { return metadata(ctx); });
  add_source_api_routes(router, ctx);
}

}  // namespace safehouse::http
