// SPDX-License-Identifier: AGPL-3.0-or-later
// http/staff_routes.h: the staff listener's routes: /metrics in the
// Prometheus text format — totals only, no label that identifies a source,
// a case or a request — and, with accounts, the reviewers' enrolment and
// sign-in pages (script /static/staff.js) and their JSON API under
// /api/staff/ (http/staff_account_routes.cpp, docs/routes.md). Without
// accounts (tests) "/" is a page pointing reviewers to the CLI.
#ifndef SAFEHOUSE_HTTP_STAFF_ROUTES_H_
#define SAFEHOUSE_HTTP_STAFF_ROUTES_H_

#include <functional>

#include "http/router.h"
#include "http/server.h"
#include "http/session_store.h"
#include "intake/intake.h"
#include "review/accounts.h"
#include "review/workflow.h"
#include "web/renderer.h"

namespace safehouse::http {

// Lifetime: outlives the router and the server.
struct StaffContext {
  const intake::Intake& intake;
  const web::Renderer& renderer;
  // The HTTP server's counters, if there is a server (tests may have none).
  std::function<ServerStats()> server_stats;
  // Reviewer accounts; all null (tests): no sign-in, "/" points to the CLI.
  review::StaffAccounts* accounts = nullptr;
  SessionStore* sessions = nullptr;  // signed-in reviewers only
  store::Store* store = nullptr;     // the case list
  // The installation's log verifier key: part of the Argon2id salt.
  std::string installation{};
  // The workspace's case actions (approvals, assessments, audit); null:
  // the case routes answer 503.
  review::Workflow* workflow = nullptr;
  // config.toml's [log] categories: the taxonomy assessments file cases by.
  std::vector<std::string> categories{};
  // The recipient set now (replies and assessments are sealed to it in the
  // browser); null: intake's set at start.
  std::function<Result<std::vector<std::string>>()> recipients{};
};

// The staff session cookie (distinct from the source listener's).
inline constexpr std::string_view kStaffSessionCookieName = "safehouse_staff";

// The Prometheus text exposition of the counters.
std::string format_metrics(const intake::IntakeStats& intake,
                           const std::optional<ServerStats>& server);

void add_staff_routes(Router& router, StaffContext& context);
// The pages and /api/staff/ routes (called by add_staff_routes when
// context.accounts is set).
void add_staff_account_routes(Router& router, StaffContext& context);
// The workspace's case routes (http/staff_case_routes.cpp): the case list,
// a case, approvals, replies and assessments (called by the above).
void add_staff_case_routes(Router& router, StaffContext& context);

// A staff request's session, or why there is none.
struct StaffSession {
  std::optional<Session> session;
  // The database could not say whether the reviewer may stay signed in
  // (it is unavailable): the session may well be valid, so the answer is
  // 503, not "signed out", and the session is kept.
  bool unavailable = false;
  explicit operator bool() const { return session.has_value(); }
  const Session* operator->() const { return &*session; }
  const Session& operator*() const { return *session; }
};

// A signed-in reviewer's session (the staff cookie), and for a POST also
// the CSRF token in the X-CSRF-Token header (which a cross-site form
// cannot set); none otherwise.
StaffSession staff_session(StaffContext& context, const Request& request);
StaffSession staff_session_for_post(StaffContext& context, const Request& request);
// The answer to a request without a session: 401 {"error":"signed-out"},
// or 503 {"error":"unavailable"} while the database is unavailable.
Response no_staff_session(const StaffSession& session);

}  // namespace safehouse::http

#endif  // SAFEHOUSE_HTTP_STAFF_ROUTES_H_
