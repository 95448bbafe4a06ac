// SPDX-License-Identifier: AGPL-3.0-or-later
// http/staff_account_routes.cpp: the reviewers' pages on the staff listener
// (enrolment, sign-in and the start of the workspace, both driven by
// /static/staff.js) and their JSON API (docs/routes.md, "Staff listener"):
// enrolment, sign-in with TOTP, sign-out (here and everywhere), the audit
// entry of an identity export, the case list and item ciphertexts. The
// server never sees a passphrase, an unlocking key or an identity: the
// browser derives and decrypts (review/accounts.h).
#include <boost/json.hpp>
#include <charconv>

#include "http/cookies.h"
#include "http/staff_api.h"
#include "http/staff_routes.h"
#include "intake/sources.h"
#include "store/types.h"
#include "web/static_files.h"

namespace safehouse::http {
namespace {

namespace json = boost::json;

constexpr std::string_view kCsrfHeader = "x-csrf-token";
constexpr std::string_view kStaticCacheControl = "public, max-age=3600";

Response json_response(const json::value& value, unsigned status = 200) {
  return Response::json(json::serialize(value), status);
}

// {"error": <a word the page translates>}.
Response api_error(unsigned status, std::string_view word) {
  return json_response(json::object{{"error", json::string_view(word.data(), word.size())}},
                       status);
}

bool is_json(const Request& request) {
  const auto type = request.header("content-type");
  return type && (*type == "application/json" || type->starts_with("application/json;"));
}

Response static_file(Request& request) {
  auto file = web::find_static(request.path_param("*"));
  if (!file) return Response::text("404 Not Found", 404);
  Response response = Response::file(std::string(file->content_type), std::string(file->bytes));
  response.set_header("Cache-Control", std::string(kStaticCacheControl));
  return response;
}

Response page(StaffContext& ctx, Request& request, web::Page which) {
  const auto language = web::parse_language(request.path_param("lang"));
  if (!language) return Response::text("404 Not Found", 404);
  web::PageData data;
  data.set_text("installation", ctx.installation);
  std::string categories;
  for (const std::string& name : ctx.categories)
    categories += (categories.empty() ? "" : " ") + name;
  data.set_text("categories", categories);
  return Response::html(ctx.renderer.render(which, *language, data));
}

StaffSession signed_in(StaffContext& ctx, const Request& request) {
  return staff_session(ctx, request);
}

StaffSession signed_in_post(StaffContext& ctx, const Request& request) {
  return staff_session_for_post(ctx, request);
}

Response enrol_check(StaffContext& ctx, Request& request) {
  if (!is_json(request)) return api_error(415, "bad-request");
  auto token = parse_token_request(request.body());
  if (!token) return api_error(400, "bad-request");
  auto info = ctx.accounts->check_token(*token);
  if (!info) {
    if (info.error().code() == ErrorCode::kNoMatch) return api_error(404, "invalid-link");
    if (info.error().code() == ErrorCode::kConflict) return api_error(410, "expired-link");
    return api_error(500, "failed");
  }
  return json_response(json::object{{"name", info->name},
                                    {"recipient", info->recipient},
                                    {"keys_replaceable", info->keys_replaceable}});
}

Response enrol(StaffContext& ctx, Request& request) {
  if (!is_json(request)) return api_error(415, "bad-request");
  auto parsed = parse_enrol_request(request.body());
  if (!parsed) return api_error(400, "bad-request");
  auto enrolled = ctx.accounts->enrol(*parsed);
  if (!enrolled) {
    switch (enrolled.error().code()) {
      case ErrorCode::kNoMatch:
        return api_error(404, "invalid-link");
      case ErrorCode::kIntegrity:
        return api_error(403, "wrong-code");
      case ErrorCode::kInvalidArgument:
        return api_error(400, "bad-request");
      case ErrorCode::kConflict:
        return api_error(409, "conflict");
      default:
        return api_error(500, "failed");
    }
  }
  return json_response(json::object{{"name", enrolled->name}});
}

Response login(StaffContext& ctx, Request& request) {
  if (!is_json(request)) return api_error(415, "bad-request");
  auto parsed = parse_login_request(request.body());
  if (!parsed) return api_error(400, "bad-request");
  auto result = ctx.accounts->login(*parsed);
  if (!result) {
    switch (result.error().code()) {
      case ErrorCode::kNoMatch:
        return api_error(401, "wrong");
      case ErrorCode::kConflict:
        return api_error(403, "locked");
      case ErrorCode::kQuotaExceeded:
        return api_error(429, "throttled");
      default:
        return api_error(500, "failed");
    }
  }
  // A session planted before sign-in is not carried over.
  if (auto old = request.cookie(kStaffSessionCookieName)) ctx.sessions->destroy(*old);
  auto session = ctx.sessions->create(nullptr, {}, result->name);
  if (!session) return api_error(503, "failed");
  Response response =
      json_response(json::object{{"name", result->name},
                                 {"recipient", result->recipient},
                                 {"identity_box", encode_base64(result->identity_box)},
                                 {"csrf", session->csrf_token}});
  response.add_header("Set-Cookie", set_cookie_value(kStaffSessionCookieName, session->token));
  return response;
}

Response logout(StaffContext& ctx, Request& request, bool everywhere) {
  auto session = signed_in_post(ctx, request);
  if (!session) return no_staff_session(session);
  std::size_t ended = 1;
  if (everywhere) {
    ended = ctx.sessions->destroy_owner(session->owner);
  } else {
    ctx.sessions->destroy(session->token);
  }
  (void)ctx.accounts->log(session->owner, everywhere ? "logout-everywhere" : "logout",
                          everywhere ? std::to_string(ended) + " sessions" : "");
  Response response = json_response(json::object{{"ended", ended}});
  response.add_header("Set-Cookie", clear_cookie_value(kStaffSessionCookieName));
  return response;
}

Response export_logged(StaffContext& ctx, Request& request) {
  auto session = signed_in_post(ctx, request);
  if (!session) return no_staff_session(session);
  auto logged = ctx.accounts->log(session->owner, "export", "identity");
  if (!logged) return api_error(500, "failed");
  return json_response(json::object{{"logged", true}});
}

Response item(StaffContext& ctx, Request& request) {
  auto session = signed_in(ctx, request);
  if (!session) return no_staff_session(session);
  std::int64_t id = 0;
  const auto text = request.path_param("id");
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) {
    return api_error(404, "not-found");
  }
  auto record = ctx.store->get_item(id);
  if (!record) return api_error(404, "not-found");
  auto body = ctx.store->open_item_body(id);
  if (!body) return api_error(status_for(body.error()), "failed");
  // The reviewer fetches ciphertext; decrypting happens in their browser or
  // offline. Logged as the download it is, before a byte leaves.
  if (!ctx.accounts->log(session->owner, "download", "item " + std::to_string(id))) {
    return api_error(500, "failed");
  }
  // Streamed: a video's ciphertext is never held in memory whole.
  Response response =
      Response::stream("application/octet-stream", std::shared_ptr<ByteSource>(std::move(*body)),
                       record->ciphertext_size);
  response.set_header("Content-Disposition",
                      "attachment; filename=\"item-" + std::to_string(id) + ".age\"");
  return response;
}

}  // namespace

void add_staff_account_routes(Router& router, StaffContext& context) {
  StaffContext& ctx = context;
  router.get("/", [](Request&) { return Response::redirect_see_other("/en/"); });
  router.get("/{lang}/", [&ctx](Request& r) { return page(ctx, r, web::Page::kStaffSignIn); });
  router.get("/{lang}/enrol", [&ctx](Request& r) { return page(ctx, r, web::Page::kStaffEnrol); });
  router.get("/static/*", [](Request& r) { return static_file(r); });
  const RouteOptions small{kStaffApiMaxBodyBytes};
  router.post(
      "/api/staff/enrol/check", [&ctx](Request& r) { return enrol_check(ctx, r); }, small);
  router.post(
      "/api/staff/enrol", [&ctx](Request& r) { return enrol(ctx, r); }, small);
  router.post(
      "/api/staff/login", [&ctx](Request& r) { return login(ctx, r); }, small);
  router.post(
      "/api/staff/logout", [&ctx](Request& r) { return logout(ctx, r, false); }, small);
  router.post(
      "/api/staff/logout-everywhere", [&ctx](Request& r) { return logout(ctx, r, true); }, small);
  router.post(
      "/api/staff/export", [&ctx](Request& r) { return export_logged(ctx, r); }, small);
  router.get("/api/staff/items/{id}", [&ctx](Request& r) { return item(ctx, r); });
  add_staff_case_routes(router, ctx);
}

StaffSession staff_session(StaffContext& ctx, const Request& request) {
  const auto token = request.cookie(kStaffSessionCookieName);
  if (!token) return {};
  auto session = ctx.sessions->find(*token);
  if (!session) return {};
  // A reviewer removed (or re-enrolled) after signing in speaks for no one
  // any more and reads nothing more: every session of theirs ends here.
  auto allowed = ctx.accounts->may_stay_signed_in(session->owner);
  if (!allowed) return {std::nullopt, /*unavailable=*/true};
  if (!*allowed) {
    ctx.sessions->destroy_owner(session->owner);
    (void)ctx.accounts->log(session->owner, "refused",
                            "session ended: no longer an active, enrolled reviewer");
    return {};
  }
  return {std::move(session), false};
}

StaffSession staff_session_for_post(StaffContext& ctx, const Request& request) {
  auto session = staff_session(ctx, request);
  if (!session) return session;
  const auto csrf = request.header(kCsrfHeader);
  if (!csrf || !csrf_matches(session->csrf_token, *csrf)) return {};
  return session;
}

Response no_staff_session(const StaffSession& session) {
  if (session.unavailable) return api_error(503, "unavailable");
  return api_error(401, "signed-out");
}

}  // namespace safehouse::http
